import type { TargetedKeyboardEvent, TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';

interface Props {
  disabled: boolean;
  /** Sends the text; resolves true when it was accepted (the box is then cleared). */
  onSend(text: string): Promise<boolean>;
}

/** The reply box: Enter sends, Shift+Enter starts a new line. */
export function ReplyBox({ disabled, onSend }: Props) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const canSend = !disabled && !sending && text.trim() !== '';

  const send = async (): Promise<void> => {
    if (!canSend) return;
    setSending(true);
    try {
      if (await onSend(text.trim())) setText('');
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    void send();
  };

  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void send();
  };

  return (
    <form class="reply" onSubmit={onSubmit}>
      <label for="reply-text" class="sr-only">
        Reply
      </label>
      <textarea
        id="reply-text"
        class="reply__text"
        rows={3}
        value={text}
        disabled={disabled}
        readOnly={sending}
        placeholder={disabled ? '' : 'Write a reply. Enter sends, Shift+Enter adds a line.'}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" class="button button--primary" disabled={!canSend} aria-busy={sending}>
        Send
      </button>
    </form>
  );
}
