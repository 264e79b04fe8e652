import { useEffect, useState } from 'preact/hooks';
import { channelInfo } from '../../lib/format';
import type { ChannelAccount } from '../../types';
import { admin, type OutOfOfficeMessage } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';

/** Out-of-office messages per channel account, sent once per closed period (see office hours). */
export function OutOfOfficeSettings({ canEdit }: SectionProps) {
  const accounts = useLoad(admin.accounts);
  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <p class="muted">
        Sent to a customer who writes outside the office hours, once per closed period. Add messages per channel
        account.
      </p>
      <Loading loaded={accounts}>
        {(list) =>
          list.length === 0 ? (
            <p class="muted">No channel accounts yet.</p>
          ) : (
            list.map((account) => <AccountMessages key={account.id} account={account} canEdit={canEdit} />)
          )
        }
      </Loading>
    </>
  );
}

function AccountMessages({ account, canEdit }: { account: ChannelAccount; canEdit: boolean }) {
  const loaded = useLoad(() => admin.outOfOffice(account.id), [account.id]);
  const [messages, setMessages] = useState<OutOfOfficeMessage[]>([]);
  const [busy, run] = useAction();
  useEffect(() => {
    if (loaded.data) setMessages(loaded.data.messages);
  }, [loaded.data]);
  const texts = messages.map((message) => message.text ?? '');
  const setTexts = (next: string[]): void =>
    setMessages(next.map((text, at) => ({ media: null, ...messages[at], text })));

  const save = (): void => {
    const clean = messages
      .map((message) => ({ ...message, text: (message.text ?? '').trim() || null }))
      .filter((message) => message.text || message.media);
    void run(async () => {
      const saved = await admin.setOutOfOffice(account.id, clean);
      setMessages(saved.messages);
    }, `Out-of-office messages of ${account.name} saved.`);
  };
  const mediaNote = (index: number) => {
    const media = messages[index]?.media;
    return media ? <span class="muted">+ {media.filename ?? media.key.split('/').pop()}</span> : null;
  };

  return (
    <section class="card settings__card" aria-label={`Out of office: ${account.name}`}>
      <h2 class="settings__subtitle">
        {channelInfo(account.channel).label} · {account.name}{' '}
        <span class="muted">
          ({texts.length} {texts.length === 1 ? 'message' : 'messages'})
        </span>
      </h2>
      <Loading loaded={loaded}>
        {() => (
          <>
            {texts.map((text, index) =>
              canEdit ? (
                <div class="inline-form" key={index}>
                  <textarea
                    rows={2}
                    maxLength={4096}
                    aria-label={`${account.name} message ${index + 1}`}
                    value={text}
                    onInput={(e) => {
                      const value = e.currentTarget.value;
                      setTexts(texts.map((item, at) => (at === index ? value : item)));
                    }}
                  />
                  {mediaNote(index)}
                  <button type="button" class="button button--quiet" onClick={() => setMessages(messages.filter((_, at) => at !== index))}>
                    Delete
                  </button>
                </div>
              ) : (
                <p key={index} class="note__text template-preview">
                  {text} {mediaNote(index)}
                </p>
              ),
            )}
            {canEdit && (
              <div class="dialog__actions dialog__actions--start">
                <button type="button" class="button" onClick={() => setMessages([...messages, { text: '', media: null }])}>
                  Add message
                </button>
                <button type="button" class="button button--primary" disabled={busy} onClick={save}>
                  Save
                </button>
              </div>
            )}
          </>
        )}
      </Loading>
    </section>
  );
}
