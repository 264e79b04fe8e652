import type { TargetedKeyboardEvent, TargetedSubmitEvent } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { loadDraft, saveDraft } from '../lib/drafts';
import { api, uploadFile } from '../api';
import { reportError, useAlerts } from '../lib/alerts';
import { useCapabilities } from '../lib/directory';
import { channelInfo } from '../lib/format';
import { t, tn } from '../lib/i18n';
import { filledValues, highlightSegments, unresolvedPlaceholders } from '../lib/placeholders';
import { useShortcut } from '../lib/shortcuts';
import { USER_CONTENT } from '../lib/userContent';
import type { QuickReplyItem } from '../types';
import { AttachmentPanel, type PendingFile, fileProblem, filesProblem } from './AttachmentPanel';
import { EmojiPicker } from './EmojiPicker';
import { Icon } from './Icon';
import { QUICK_REPLY_LIST_ID, QuickReplyPopup, handlePopupKey, optionId } from './QuickReplyPopup';

export interface SentAttachment {
  key: string;
  filename: string;
}

interface Props {
  conversationId: string;
  channel: string;
  /** Why replies in this conversation cannot carry files (the conversation's `media_refusal`). */
  mediaRefusal: string | null;
  disabled: boolean;
  /**
   * The reply starts a new email thread (the customer's mail is not there to answer): the box asks
   * for its subject, as the start-conversation wizard does, instead of sending the account's default.
   */
  asksSubject?: boolean;
  /** Sends the text, the uploaded files and the subject (null when none was asked); resolves true when it was accepted (the box is then cleared). */
  onSend(text: string, attachments: SentAttachment[], subject: string | null): Promise<boolean>;
}

export const REPLY_TEXT_ID = 'reply-text';
const REPLY_SUBJECT_ID = 'reply-subject';
const SEND_BLOCKED_ID = 'reply-send-blocked';
const MAX_FILES = 10;
const SEARCH_DELAY_MS = 150;

/** The quick-reply popup: opened by the button or Ctrl+Q (with a search field) or by `!` typed in the box. */
interface Popup {
  /** The search field's text; null when the popup follows a `!word` typed in the reply box. */
  search: string | null;
  /** The `!word` before the caret, and where it starts. */
  token: { text: string; start: number } | null;
  /** Where the reply goes when the popup was opened without a token. */
  caret: number;
}

/** The `!word` right before the caret (at the start or after a space), if any. */
function tokenBefore(text: string, caret: number): { text: string; start: number } | null {
  const match = /(^|\s)(![^\s!]*)$/.exec(text.slice(0, caret));
  if (!match?.[2]) return null;
  return { text: match[2], start: caret - match[2].length };
}

let fileCounter = 0;

/**
 * The reply box: Enter sends, Shift+Enter starts a new line. Tools: quick replies (Ctrl+Q or
 * `!group`), emoji, and up to 10 files with a preview. Placeholders a quick reply left unfilled
 * are marked red and keep Send disabled until the agent replaces them.
 */
export function ReplyBox({ conversationId, channel, mediaRefusal, disabled, asksSubject = false, onSend }: Props) {
  const alerts = useAlerts();
  const capabilities = useCapabilities(channel);
  const [text, setText] = useState(() => loadDraft(conversationId));
  const [subject, setSubject] = useState('');
  const [sending, setSending] = useState(false);
  const [picking, setPicking] = useState(false);
  const [popup, setPopup] = useState<Popup | null>(null);
  const [replies, setReplies] = useState<QuickReplyItem[] | null>(null);
  const [active, setActive] = useState(0);
  const [filled, setFilled] = useState<string[]>([]);
  const [files, setFiles] = useState<PendingFile[]>([]);
  const box = useRef<HTMLTextAreaElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  const emojiButton = useRef<HTMLButtonElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const missing = useMemo(() => unresolvedPlaceholders(text), [text]);
  const maxFiles = capabilities ? Math.min(MAX_FILES, capabilities.max_attachments) : MAX_FILES;
  const refused = files.filter((pending) => fileProblem(pending.file, capabilities) !== null).length;
  const together = filesProblem(files, capabilities, mediaRefusal);
  // what keeps Send disabled because of the files, said next to it
  const filesBlock =
    together?.short ?? (refused ? tn('reply.file_refused', refused) : null);
  const tooLong = capabilities !== null && text.trim().length > capabilities.max_text_length;
  const subjectMissing = asksSubject && subject.trim() === '';
  const canSend =
    !disabled &&
    !sending &&
    (text.trim() !== '' || files.length > 0) &&
    missing.length === 0 &&
    !filesBlock &&
    !tooLong &&
    !subjectMissing;

  // the search of the popup: the field's text, or the typed `!word`
  const query = popup ? (popup.search ?? popup.token?.text ?? '') : null;
  useEffect(() => {
    if (query === null) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.quickReplies(query, controller.signal).then(
        (answer) => {
          setReplies(answer.items);
          setActive(0);
        },
        (error: unknown) => reportError(alerts, error),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, alerts]);

  // object URLs of previews go with the box
  const filesRef = useRef(files);
  filesRef.current = files;
  useEffect(
    () => () => filesRef.current.forEach((pending) => pending.preview && URL.revokeObjectURL(pending.preview)),
    [],
  );

  const closePopup = useCallback(() => {
    setPopup(null);
    setReplies(null);
  }, []);

  const openSearch = useCallback(() => {
    if (disabled) return;
    setReplies(null);
    setPopup({ search: '', token: null, caret: box.current?.selectionStart ?? box.current?.value.length ?? 0 });
  }, [disabled]);

  useShortcut('quick-reply', disabled ? null : openSearch);

  const placeCaret = (position: number): void => {
    requestAnimationFrame(() => {
      const element = box.current;
      if (!element) return;
      element.focus();
      element.setSelectionRange(position, position);
    });
  };

  const pick = async (item: QuickReplyItem): Promise<void> => {
    const current = popup;
    if (!current) return;
    closePopup();
    try {
      const rendered = await api.renderQuickReply(conversationId, item.id);
      const start = current.token ? current.token.start : current.caret;
      const end = current.token ? current.token.start + current.token.text.length : current.caret;
      setText((value) => value.slice(0, start) + rendered.text + value.slice(end));
      const values = filledValues(item.text, rendered.text);
      setFilled((list) => [...new Set([...list, ...values])]);
      placeCaret(start + rendered.text.length);
    } catch (error) {
      reportError(alerts, error);
      box.current?.focus();
    }
  };

  // The draft follows the conversation: kept as typed, read again when another one opens.
  const draftOf = useRef(conversationId);
  useEffect(() => {
    if (draftOf.current !== conversationId) {
      draftOf.current = conversationId;
      setText(loadDraft(conversationId));
      return;
    }
    saveDraft(conversationId, text);
  }, [conversationId, text]);

  const onInput = (value: string, caret: number): void => {
    setText(value);
    if (!value) setFilled([]);
    if (popup?.search !== null && popup !== null) return;
    const token = tokenBefore(value, caret);
    if (token) setPopup({ search: null, token, caret });
    else if (popup) closePopup();
  };

  const addFiles = (chosen: FileList | null): void => {
    if (!chosen?.length) return;
    const room = maxFiles - files.length;
    const list = Array.from(chosen);
    if (list.length > room) {
      alerts.notify(
        room > 0
          ? t('reply.too_many_files', { max: maxFiles, left: list.length - room })
          : t('reply.max_files', { max: maxFiles }),
      );
    }
    const added = list.slice(0, Math.max(0, room)).map((file) => {
      fileCounter += 1;
      const image = /^image\/(png|jpeg|gif|webp)$/.test(file.type);
      return { id: `file-${fileCounter}`, file, preview: image ? URL.createObjectURL(file) : null };
    });
    setFiles((current) => [...current, ...added]);
  };

  const removeFile = (id: string): void => {
    setFiles((current) => {
      const gone = current.find((pending) => pending.id === id);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return current.filter((pending) => pending.id !== id);
    });
  };

  const send = async (): Promise<void> => {
    if (!canSend) return;
    setSending(true);
    try {
      const attachments: SentAttachment[] = [];
      for (const pending of files) {
        const ticket = await api.requestUpload(conversationId, {
          filename: pending.file.name,
          content_type: pending.file.type || 'application/octet-stream',
          size: pending.file.size,
        });
        await uploadFile(ticket, pending.file);
        attachments.push({ key: ticket.key, filename: pending.file.name });
      }
      if (await onSend(text.trim(), attachments, asksSubject ? subject.trim() : null)) {
        setText('');
        setSubject('');
        setFilled([]);
        files.forEach((pending) => pending.preview && URL.revokeObjectURL(pending.preview));
        setFiles([]);
      }
    } catch (error) {
      reportError(alerts, error);
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLTextAreaElement>): void => {
    if (popup && popup.search === null && (replies?.length || event.key === 'Escape')) {
      if (handlePopupKey(event, replies, active, setActive, (item) => void pick(item), closePopup)) {
        event.preventDefault();
        return;
      }
    }
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    if (popup) closePopup();
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

  const insertEmoji = (emoji: string): void => {
    const element = box.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + emoji + text.slice(end));
    setPicking(false);
    placeCaret(start + emoji.length);
  };

  const segments = missing.length || filled.length ? highlightSegments(text, filled) : null;
  const inlineActive = popup && popup.search === null ? replies?.[active] : undefined;
  const noFiles = capabilities !== null && capabilities.max_attachments === 0;

  return (
    <form class="reply" onSubmit={onSubmit}>
      <div class="reply__main">
        {files.length > 0 && (
          <AttachmentPanel
            files={files}
            max={maxFiles}
            capabilities={capabilities}
            problem={together}
            disabled={sending}
            onRemove={removeFile}
          />
        )}
        {asksSubject && (
          <div class="field reply__subject">
            <label class="field__label" for={REPLY_SUBJECT_ID}>
              {t('reply.subject')}
            </label>
            <input
              id={REPLY_SUBJECT_ID}
              type="text"
              value={subject}
              maxLength={200}
              disabled={disabled}
              readOnly={sending}
              aria-describedby={`${REPLY_SUBJECT_ID}-hint`}
              onInput={(event) => setSubject(event.currentTarget.value)}
            />
            <span id={`${REPLY_SUBJECT_ID}-hint`} class="field__hint muted">
              {t('reply.subject_hint')}
            </span>
          </div>
        )}
        <div class="reply__field">
          {segments && (
            <div class="reply__backdrop" ref={backdrop} aria-hidden="true" {...USER_CONTENT}>
              {segments.map((segment, index) =>
                segment.kind === 'plain' ? (
                  segment.text
                ) : (
                  <mark key={index} class={`ph ph--${segment.kind}`}>
                    {segment.text}
                  </mark>
                ),
              )}
              {'\u200b'}
            </div>
          )}
          <label for={REPLY_TEXT_ID} class="sr-only">
            {t('reply.label')}
          </label>
          <textarea
            id={REPLY_TEXT_ID}
            ref={box}
            class={segments ? 'reply__text reply__text--marked' : 'reply__text'}
            rows={3}
            value={text}
            disabled={disabled}
            readOnly={sending}
            aria-controls={popup && popup.search === null ? QUICK_REPLY_LIST_ID : undefined}
            aria-activedescendant={inlineActive ? optionId(inlineActive) : undefined}
            aria-invalid={missing.length > 0 || tooLong ? true : undefined}
            placeholder={disabled ? '' : t('reply.placeholder')}
            onInput={(event) => onInput(event.currentTarget.value, event.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onScroll={(event) => {
              if (backdrop.current) backdrop.current.scrollTop = event.currentTarget.scrollTop;
            }}
          />
          {popup && (
            <QuickReplyPopup
              items={replies}
              active={active}
              search={popup.search}
              onSearch={(search) => setPopup({ ...popup, search })}
              onActive={setActive}
              onPick={(item) => void pick(item)}
              onClose={() => {
                closePopup();
                box.current?.focus();
              }}
            />
          )}
        </div>
        {missing.length > 0 && (
          <p class="reply__missing" data-testid="missing-placeholders">
            {tn('reply.missing', missing.length, { names: missing.map((name) => `{{${name}}}`).join(', ') })}
          </p>
        )}
        {filesBlock && (
          <p class="reply__missing" id={SEND_BLOCKED_ID} data-testid="send-blocked">
            {t('reply.send_off', { reason: filesBlock })}
          </p>
        )}
        {tooLong && capabilities && (
          <p class="reply__missing">
            {t('reply.too_long', { channel: channelInfo(channel).label, max: capabilities.max_text_length, length: text.trim().length })}
          </p>
        )}
      </div>
      <div class="reply__tools">
        <button
          type="button"
          class="button button--quiet"
          aria-label={t('reply.quick_replies')}
          aria-keyshortcuts="Control+Q"
          title={t('reply.quick_replies_hint')}
          aria-expanded={popup !== null}
          disabled={disabled}
          onPointerDown={(event) => event.stopPropagation()}
          onClick={() => (popup ? closePopup() : openSearch())}
        >
          <Icon name="bolt" />
        </button>
        <button
          type="button"
          ref={emojiButton}
          class="button button--quiet"
          aria-label={t('reply.emoji')}
          aria-expanded={picking}
          title={t('reply.emoji')}
          disabled={disabled}
          // the picker closes on a press outside it; this button toggles it instead
          onPointerDown={(event) => event.stopPropagation()}
          onClick={() => setPicking((open) => !open)}
        >
          <Icon name="smile" />
        </button>
        {picking && <EmojiPicker onPick={insertEmoji} onClose={closePicker} />}
        <button
          type="button"
          class="button button--quiet"
          aria-label={t('reply.attach')}
          title={
            noFiles
              ? t('reply.no_files', { channel: channelInfo(channel).label })
              : mediaRefusal
                ? t('reply.files_refused', { reason: mediaRefusal })
                : t('reply.attach_hint')
          }
          disabled={disabled || sending || noFiles || files.length >= maxFiles}
          onClick={() => fileInput.current?.click()}
        >
          <Icon name="attach" />
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(event) => {
            addFiles(event.currentTarget.files);
            event.currentTarget.value = '';
          }}
        />
        <button
          type="submit"
          class="button button--primary"
          disabled={!canSend}
          aria-busy={sending}
          aria-describedby={filesBlock ? SEND_BLOCKED_ID : undefined}
          title={filesBlock ?? undefined}
        >
          {t('reply.send')}
        </button>
      </div>
    </form>
  );
}
