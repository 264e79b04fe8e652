import { useEffect, useState } from 'preact/hooks';
import { channelInfo } from '../../lib/format';
import type { ChannelAccount } from '../../types';
import { admin } from './admin';
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
  const [texts, setTexts] = useState<string[]>([]);
  const [busy, run] = useAction();
  useEffect(() => {
    if (loaded.data) setTexts(loaded.data.messages.map((message) => message.text));
  }, [loaded.data]);

  const save = (): void => {
    const clean = texts.map((text) => text.trim()).filter(Boolean);
    void run(async () => {
      const saved = await admin.setOutOfOffice(account.id, clean);
      setTexts(saved.messages.map((message) => message.text));
    }, `Out-of-office messages of ${account.name} saved.`);
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
                  <button type="button" class="button button--quiet" onClick={() => setTexts(texts.filter((_, at) => at !== index))}>
                    Delete
                  </button>
                </div>
              ) : (
                <p key={index} class="note__text template-preview">
                  {text}
                </p>
              ),
            )}
            {canEdit && (
              <div class="dialog__actions dialog__actions--start">
                <button type="button" class="button" onClick={() => setTexts([...texts, ''])}>
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
