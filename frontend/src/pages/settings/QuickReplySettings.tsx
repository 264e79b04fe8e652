import { useState } from 'preact/hooks';
import { api } from '../../api';
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
        In a conversation, type <kbd>!</kbd> and a group name, or press <kbd>Ctrl</kbd>+<kbd>Q</kbd>. Placeholders:{' '}
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
            }, 'Group created.');
          }}
        >
          <input type="text" aria-label="New group name" maxLength={40} placeholder="New group" value={groupName} onInput={(e) => setGroupName(e.currentTarget.value)} />
          <button type="submit" class="button button--primary" disabled={busy || !groupName.trim()}>
            Add group
          </button>
        </form>
      )}
      <input type="search" aria-label="Search quick replies" placeholder="Search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <Loading loaded={replies}>
        {(all) => {
          const groups = all.map((group) => ({
            ...group,
            replies: group.replies.filter(
              (reply) => !term || reply.text.toLowerCase().includes(term) || reply.shortcut.toLowerCase().includes(term),
            ),
          }));
          if (groups.length === 0) return <p class="muted">No quick replies yet.</p>;
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
  return (
    <section class="card settings__card" aria-label={`Quick reply group ${group.name}`} data-testid="quick-reply-group">
      <div class="settings__row">
        {name === null ? (
          <h2 class="settings__subtitle">
            {group.name}{' '}
            <span class="muted" data-testid="quick-reply-group-count">
              {group.shortcut} · {group.count} {group.count === 1 ? 'reply' : 'replies'}
            </span>
          </h2>
        ) : (
          <input type="text" aria-label="Group name" maxLength={40} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        )}
        {canEdit && (
          <span class="dialog__actions">
            {name === null ? (
              <button type="button" class="button button--quiet" onClick={() => setName(group.name)}>
                Rename
              </button>
            ) : (
              <button
                type="button"
                class="button"
                disabled={busy || !name.trim()}
                onClick={() => void run(() => admin.renameGroup(group.id, name.trim()), 'Group renamed.').then((ok) => ok && (setName(null), onChanged()))}
              >
                Save name
              </button>
            )}
            <button
              type="button"
              class="button button--quiet"
              disabled={busy}
              onClick={() => {
                if (window.confirm(`Delete the group ${group.name} and its quick replies?`)) {
                  void run(() => admin.deleteGroup(group.id), 'Group deleted.').then((ok) => ok && onDeleted());
                }
              }}
            >
              Delete group
            </button>
          </span>
        )}
      </div>
      <ul class="replies">
        {group.replies.length === 0 && <li class="muted">No quick replies in this group.</li>}
        {group.replies.map((reply) => (
          <li key={reply.id} class="replies__item" data-testid="quick-reply">
            <span class="quick-replies__shortcut">{reply.shortcut}</span>
            {editing?.id === reply.id ? (
              <textarea rows={3} maxLength={2000} aria-label={`Text of ${reply.shortcut}`} value={editing.text} onInput={(e) => setEditing({ id: reply.id, text: e.currentTarget.value })} />
            ) : (
              <span class="note__text">{reply.text}</span>
            )}
            {canEdit && (
              <span class="dialog__actions">
                {editing?.id === reply.id ? (
                  <button
                    type="button"
                    class="button"
                    disabled={busy || !editing.text.trim()}
                    onClick={() => void run(() => admin.updateReply(reply.id, editing.text), 'Quick reply saved.').then((ok) => ok && (setEditing(null), onChanged()))}
                  >
                    Save
                  </button>
                ) : (
                  <button type="button" class="button button--quiet" onClick={() => setEditing({ id: reply.id, text: reply.text })}>
                    Edit
                  </button>
                )}
                <button
                  type="button"
                  class="button button--quiet"
                  aria-label={`Delete ${reply.shortcut}`}
                  disabled={busy}
                  onClick={() => void run(() => admin.deleteReply(reply.id), 'Quick reply deleted.').then((ok) => ok && onChanged())}
                >
                  Delete
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
            void run(() => admin.createReply(group.id, draft), 'Quick reply added.').then((ok) => ok && (setDraft(''), onChanged()));
          }}
        >
          <textarea rows={2} maxLength={2000} aria-label={`New quick reply in ${group.name}`} placeholder="Hello {{customer_first}}, ..." value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <div>
            <button type="submit" class="button" disabled={busy || !draft.trim()}>
              Add quick reply
            </button>
            <span class="muted"> {draft.length}/2000</span>
          </div>
        </form>
      )}
    </section>
  );
}
