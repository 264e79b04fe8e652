import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, uploadFile } from '../../api';
import { fileProblem } from '../../components/AttachmentPanel';
import { useCapabilities } from '../../lib/directory';
import { channelInfo, fileSize } from '../../lib/format';
import type { ChannelAccount, ChannelCapabilities } from '../../types';
import { admin, type OutOfOfficeMessage } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';
import { t, tn } from '../../lib/i18n';
import { listOf } from '../../lib/locale';
import { USER_CONTENT, userValues } from '../../lib/userContent';
import { Icon } from '../../components/Icon';

/** Out-of-office messages per channel account, sent once per closed period (see office hours). */
export function OutOfOfficeSettings({ canEdit }: SectionProps) {
  const accounts = useLoad(admin.accounts);
  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <p class="muted">{t('ooo.intro')}</p>
      <Loading loaded={accounts}>
        {(list) =>
          list.length === 0 ? (
            <p class="muted">{t('channels.none')}</p>
          ) : (
            list.map((account) => <AccountMessages key={account.id} account={account} canEdit={canEdit} />)
          )
        }
      </Loading>
    </>
  );
}

type Media = NonNullable<OutOfOfficeMessage['media']>;

function mediaName(media: Media): string {
  return media.filename ?? media.key.split('/').pop() ?? media.key;
}

function AccountMessages({ account, canEdit }: { account: ChannelAccount; canEdit: boolean }) {
  const loaded = useLoad(() => admin.outOfOffice(account.id), [account.id]);
  const capabilities = useCapabilities(account.channel);
  const [messages, setMessages] = useState<OutOfOfficeMessage[]>([]);
  const [busy, run] = useAction();
  // previews of the pictures chosen on this page, by upload key (stored media has no URL here)
  const previews = useRef(new Map<string, string>());
  useEffect(() => {
    if (loaded.data) setMessages(loaded.data.messages);
  }, [loaded.data]);
  useEffect(() => () => previews.current.forEach((url) => URL.revokeObjectURL(url)), []);

  const update = (index: number, change: Partial<OutOfOfficeMessage>): void =>
    setMessages((current) => current.map((message, at) => (at === index ? { ...message, ...change } : message)));

  const save = (): void => {
    const clean = messages
      .map((message) => ({ ...message, text: (message.text ?? '').trim() || null }))
      .filter((message) => message.text || message.media);
    void run(async () => {
      const saved = await admin.setOutOfOffice(account.id, clean);
      setMessages(saved.messages);
    }, t('ooo.saved', { name: account.name }));
  };

  const count = messages.length;
  return (
    <section class="card settings__card" aria-label={t('ooo.label', { name: account.name })} {...userValues(account.name)}>
      <h2 class="settings__subtitle">
        {channelInfo(account.channel).label} · <span {...USER_CONTENT}>{account.name}</span>{' '}
        <span class="muted">
          ({tn('ooo.messages', count)})
        </span>
      </h2>
      <Loading loaded={loaded}>
        {() => (
          <>
            {messages.map((message, index) =>
              canEdit ? (
                <MessageEditor
                  key={index}
                  account={account}
                  capabilities={capabilities}
                  number={index + 1}
                  message={message}
                  preview={message.media ? (previews.current.get(message.media.key) ?? null) : null}
                  onText={(text) => update(index, { text })}
                  onMedia={(media, preview) => {
                    if (media && preview) previews.current.set(media.key, preview);
                    update(index, { media });
                  }}
                  onDelete={() => setMessages(messages.filter((_, at) => at !== index))}
                />
              ) : (
                <p key={index} class="note__text template-preview">
                  {message.text ?? ''}{' '}
                  {message.media && <span class="muted" data-testid="ooo-media">+ {mediaName(message.media)}</span>}
                </p>
              ),
            )}
            {canEdit && (
              <div class="dialog__actions dialog__actions--start">
                <button type="button" class="button" onClick={() => setMessages([...messages, { text: '', media: null }])}>
                  {t('ooo.add')}
                </button>
                <button type="button" class="button button--primary" disabled={busy} onClick={save}>
                  {t('common.save')}
                </button>
              </div>
            )}
          </>
        )}
      </Loading>
    </section>
  );
}

interface EditorProps {
  account: ChannelAccount;
  capabilities: ChannelCapabilities | null;
  number: number;
  message: OutOfOfficeMessage;
  preview: string | null;
  onText(text: string): void;
  onMedia(media: Media | null, preview?: string): void;
  onDelete(): void;
}

/**
 * One message: its text, and its picture or document. A chosen file is checked against the
 * channel's capabilities first (the API refuses the upload otherwise), then put to the
 * presigned URL at once; saving the messages names it by key.
 */
function MessageEditor({ account, capabilities, number, message, preview, onText, onMedia, onDelete }: EditorProps) {
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const label = channelInfo(account.channel).label;
  const noFiles = capabilities !== null && capabilities.max_attachments === 0;
  const countries = capabilities?.media_countries;

  const attach = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    const refused = fileProblem(file, capabilities);
    setProblem(refused);
    if (refused) return;
    setUploading(true);
    try {
      const content_type = file.type || 'application/octet-stream';
      const ticket = await admin.outOfOfficeUpload(account.id, { filename: file.name, content_type, size: file.size });
      await uploadFile(ticket, file);
      const image = /^image\/(png|jpeg|gif|webp)$/.test(content_type);
      onMedia(
        { key: ticket.key, filename: file.name, content_type, size: file.size },
        image ? URL.createObjectURL(file) : undefined,
      );
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setUploading(false);
    }
  };

  return (
    <div class="ooo-message" data-testid="ooo-message">
      <div class="inline-form">
        <textarea
          rows={2}
          maxLength={4096}
          aria-label={t('ooo.message_n', { name: account.name, n: number })} {...userValues(account.name)}
          value={message.text ?? ''}
          onInput={(e) => onText(e.currentTarget.value)}
        />
        <button type="button" class="button button--quiet" onClick={onDelete}>
          {t('common.delete')}
        </button>
      </div>
      <div class="ooo-message__media">
        {message.media ? (
          <>
            {preview ? (
              <img class="attachment__preview" src={preview} alt="" />
            ) : (
              <span class="attachment__preview attachment__preview--file" aria-hidden="true">
                <Icon name="file" size={28} />
              </span>
            )}
            <span data-testid="ooo-media">{mediaName(message.media)}</span>
            <span class="muted">{fileSize(message.media.size)}</span>
            <button
              type="button"
              class="button button--quiet"
              aria-label={t('ooo.remove_file_of', { n: number })}
              onClick={() => {
                setProblem(null);
                onMedia(null);
              }}
            >
              {t('ooo.remove_file')}
            </button>
          </>
        ) : (
          <button
            type="button"
            class="button"
            aria-label={t('ooo.attach_to', { n: number })}
            disabled={uploading || noFiles}
            aria-busy={uploading}
            title={noFiles ? t('reply.no_files', { channel: label }) : undefined}
            onClick={() => input.current?.click()}
          >
            {uploading ? t('ooo.uploading') : t('ooo.attach')}
          </button>
        )}
        <input
          ref={input}
          type="file"
          hidden
          data-testid="ooo-file-input"
          onChange={(event) => {
            void attach(event.currentTarget.files?.[0]);
            event.currentTarget.value = '';
          }}
        />
      </div>
      {message.media && countries?.length ? (
        <p class="muted">
          {t('ooo.media_countries', { channel: label, countries: listOf(countries) })}
        </p>
      ) : null}
      {problem && (
        <p class="attachment__warning" data-testid="attachment-warning">
          {problem}
        </p>
      )}
    </div>
  );
}
