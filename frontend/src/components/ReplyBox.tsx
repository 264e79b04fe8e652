import type { TargetedKeyboardEvent, TargetedSubmitEvent } from 'preact';
import { useCallback, useRef, useState } from 'preact/hooks';
import { EmojiPicker } from './EmojiPicker';

interface Props {
  disabled: boolean;
  /** Sends the text; resolves true when it was accepted (the box is then cleared). */
  onSend(text: string): Promise<boolean>;
}

export const REPLY_TEXT_ID = 'reply-text';

/**
 * The reply box: Enter sends, Shift+Enter starts a new line. The emoji button inserts at the
 * cursor. (Quick replies, attachments and templates join the tools row when their API exists.)
 */
export function ReplyBox({ disabled, onSend }: Props) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [picking, setPicking] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const emojiButton = useRef<HTMLButtonElement>(null);
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

  const closePicker = useCallback(() => {
    setPicking(false);
    emojiButton.current?.focus();
  }, []);

  const insert = (emoji: string): void => {
    const element = box.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    setText(next);
    setPicking(false);
    requestAnimationFrame(() => {
      if (!element) return;
      element.focus();
      const caret = start + emoji.length;
      element.setSelectionRange(caret, caret);
    });
  };

  return (
    <form class="reply" onSubmit={onSubmit}>
      <label for={REPLY_TEXT_ID} class="sr-only">
        Reply
      </label>
      <textarea
        id={REPLY_TEXT_ID}
        ref={box}
        class="reply__text"
        rows={3}
        value={text}
        disabled={disabled}
        readOnly={sending}
        placeholder={disabled ? '' : 'Write a reply. Enter sends, Shift+Enter adds a line.'}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <div class="reply__tools">
        <button
          type="button"
          ref={emojiButton}
          class="button button--quiet"
          aria-label="Insert emoji"
          aria-expanded={picking}
          title="Insert emoji"
          disabled={disabled}
          // the picker closes on a press outside it; this button toggles it instead
          onPointerDown={(event) => event.stopPropagation()}
          onClick={() => setPicking((open) => !open)}
        >
          <span aria-hidden="true">🙂</span>
        </button>
        {picking && <EmojiPicker onPick={insert} onClose={closePicker} />}
        <button type="submit" class="button button--primary" disabled={!canSend} aria-busy={sending}>
          Send
        </button>
      </div>
    </form>
  );
}
