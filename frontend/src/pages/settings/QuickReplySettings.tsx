import { useState } from 'preact/hooks';
import { api } from '../../api';
import { useConfirm } from '../../components/ConfirmDialog';
import { t, tn } from '../../lib/i18n';
import { USER_CONTENT, userValues } from '../../lib/userContent';
import type { QuickReplyGroupSummary, QuickReplyItem } from '../../types';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';

interface Group extends QuickReplyGroupSummary {
  replies: QuickReplyItem[];
}

/** Every group (`GET /quick-reply-groups`, empty ones too) by name, with its replies. */
function grouped(groups: QuickReplyGroupSummary[], items: QuickReplyItem[]): Group[] {
  return groups.map((group) => ({ ...group, replies: items.filter((item) => item.group_id === group.id) }));
}

/**
 * Quick replies in groups. A group's name makes its shortcuts (!Name1, !Name2, ...); texts may hold
 * {{customer}}, {{customer_first}}, {{agent}} and {{agent_first}}.
 */
export function QuickReplySettings({ canEdit }: SectionProps) {
  const replies = useLoad(() =>
    Promise.all([api.quickReplyGroups(), api.quickReplies()]).then(([groups, found]) => grouped(groups.items, found.items)),
  );
  const [search, setSearch] = useState('');
  const [groupName, setGroupName] = useState('');
  const [busy, run] = useAction();
  const term = search.trim().toLowerCase();

  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <p class="muted">
        {t('quick.intro_type')} <kbd>!</kbd> {t('quick.intro_group')} <kbd>Ctrl</kbd>+<kbd>Q</kbd>. {t('quick.placeholders')}{' '}
        <code>{'{{customer}}'}</code>, <code>{'{{customer_first}}'}</code>, <code>{'{{agent}}'}</code>,{' '}
        <code>{'{{agent_first}}'}</code>.
      </p>
      {canEdit && (
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void run(async () => {
              await admin.createGroup(groupName.trim());
              setGroupName('');
              replies.reload();
            }, t('quick.group_created'));
          }}
        >
          <input type="text" aria-label={t('quick.new_group_name')} maxLength={40} placeholder={t('quick.new_group')} value={groupName} onInput={(e) => setGroupName(e.currentTarget.value)} />
          <button type="submit" class="button button--primary" disabled={busy || !groupName.trim()}>
            {t('quick.add_group')}
          </button>
        </form>
      )}
      <input type="search" aria-label={t('quick.search')} placeholder={t('common.search')} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <Loading loaded={replies}>
        {(all) => {
          const groups = all.map((group) => ({
            ...group,
            replies: group.replies.filter(
              (reply) => !term || reply.text.toLowerCase().includes(term) || reply.shortcut.toLowerCase().includes(term),
            ),
          }));
          if (groups.length === 0) return <p class="muted">{t('quick.none')}</p>;
          return groups.map((group) => (
            <GroupCard
              key={group.id}
              group={group}
              canEdit={canEdit}
              onChanged={replies.reload}
              onDeleted={replies.reload}
            />
          ));
        }}
      </Loading>
    </>
  );
}

function GroupCard({ group, canEdit, onChanged, onDeleted }: { group: Group; canEdit: boolean; onChanged(): void; onDeleted(): void }) {
  const [busy, run] = useAction();
  const [name, setName] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const [confirmation, confirm] = useConfirm();
  const deleteGroup = async (): Promise<void> => {
    const sure = await confirm({
      title: t('quick.delete_group_title', { name: group.name }),
      effect: tn('quick.delete_group_effect', group.count, { name: group.name, shortcut: group.shortcut }),
      action: t('quick.delete_group'),
    });
    if (sure) void run(() => admin.deleteGroup(group.id), t('quick.group_deleted')).then((ok) => ok && onDeleted());
  };
  return (
    <section class="card settings__card" aria-label={t('quick.group_label', { name: group.name })} {...userValues(group.name)} data-testid="quick-reply-group">
      <div class="settings__row">
        {name === null ? (
          <h2 class="settings__subtitle">
            <span {...USER_CONTENT}>{group.name}</span>{' '}
            <span class="muted" data-testid="quick-reply-group-count">
              <span {...USER_CONTENT}>{group.shortcut}</span> · {tn('quick.replies', group.count)}
            </span>
          </h2>
        ) : (
          <input type="text" aria-label={t('quick.group_name')} maxLength={40} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        )}
        {canEdit && (
          <span class="dialog__actions">
            {name === null ? (
              <button type="button" class="button button--quiet" onClick={() => setName(group.name)}>
                {t('quick.rename')}
              </button>
            ) : (
              <button
                type="button"
                class="button"
                disabled={busy || !name.trim()}
                onClick={() => void run(() => admin.renameGroup(group.id, name.trim()), t('quick.group_renamed')).then((ok) => ok && (setName(null), onChanged()))}
              >
                {t('quick.save_name')}
              </button>
            )}
            <button
              type="button"
              class="button button--quiet"
              disabled={busy}
              onClick={() => void deleteGroup()}
            >
              {t('quick.delete_group')}
            </button>
          </span>
        )}
      </div>
      <ul class="replies">
        {group.replies.length === 0 && <li class="muted">{t('quick.group_empty')}</li>}
        {group.replies.map((reply) => (
          <li key={reply.id} class="replies__item" data-testid="quick-reply">
            <span class="quick-replies__shortcut" {...USER_CONTENT}>
              {reply.shortcut}
            </span>
            {editing?.id === reply.id ? (
              <textarea rows={3} maxLength={2000} aria-label={t('quick.text_of', { shortcut: reply.shortcut })} {...userValues(reply.shortcut)} value={editing.text} onInput={(e) => setEditing({ id: reply.id, text: e.currentTarget.value })} />
            ) : (
              <span class="note__text" {...USER_CONTENT}>
                {reply.text}
              </span>
            )}
            {canEdit && (
              <span class="dialog__actions">
                {editing?.id === reply.id ? (
                  <button
                    type="button"
                    class="button"
                    disabled={busy || !editing.text.trim()}
                    onClick={() => void run(() => admin.updateReply(reply.id, editing.text), t('quick.saved')).then((ok) => ok && (setEditing(null), onChanged()))}
                  >
                    {t('common.save')}
                  </button>
                ) : (
                  <button type="button" class="button button--quiet" onClick={() => setEditing({ id: reply.id, text: reply.text })}>
                    {t('common.edit')}
                  </button>
                )}
                <button
                  type="button"
                  class="button button--quiet"
                  aria-label={t('quick.delete_reply', { shortcut: reply.shortcut })} {...userValues(reply.shortcut)}
                  disabled={busy}
                  onClick={() => void run(() => admin.deleteReply(reply.id), t('quick.deleted')).then((ok) => ok && onChanged())}
                >
                  {t('common.delete')}
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {canEdit && (
        <form
          class="settings__group"
          onSubmit={(event) => {
            event.preventDefault();
            void run(() => admin.createReply(group.id, draft), t('quick.added')).then((ok) => ok && (setDraft(''), onChanged()));
          }}
        >
          <textarea rows={2} maxLength={2000} aria-label={t('quick.new_reply_in', { name: group.name })} {...userValues(group.name)} placeholder={t('quick.reply_example')} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <div>
            <button type="submit" class="button" disabled={busy || !draft.trim()}>
              {t('quick.add_reply')}
            </button>
            <span class="muted"> {draft.length}/2000</span>
          </div>
        </form>
      )}
      {confirmation}
    </section>
  );
}
