import { useState } from 'preact/hooks';
import type { TeamSettings, User } from '../../types';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';

/** Teams: members, automatic assignment, create, rename, delete. */
export function TeamsSettings({ canEdit }: SectionProps) {
  const teams = useLoad(admin.teams);
  const users = useLoad(() => admin.users());
  const [busy, run] = useAction();
  const [name, setName] = useState('');
  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <p class="muted">New users join the default team; conversations go to their account's team unless a routing rule says otherwise.</p>
      <Loading loaded={teams}>
        {(list) =>
          list.map((team) => (
            <TeamCard
              key={team.id}
              team={team}
              users={users.data ?? []}
              canEdit={canEdit}
              onSaved={(saved) => teams.set(list.map((item) => (item.id === saved.id ? saved : item)))}
              onDeleted={teams.reload}
            />
          ))
        }
      </Loading>
      {canEdit && (
        <form
          class="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void run(async () => {
              await admin.createTeam({ name: name.trim() });
              setName('');
              teams.reload();
            }, 'Team created.');
          }}
        >
          <input type="text" aria-label="New team name" maxLength={100} placeholder="New team" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="button button--primary" disabled={busy || !name.trim()}>
            Create team
          </button>
        </form>
      )}
    </>
  );
}

function TeamCard({
  team,
  users,
  canEdit,
  onSaved,
  onDeleted,
}: {
  team: TeamSettings;
  users: User[];
  canEdit: boolean;
  onSaved(t: TeamSettings): void;
  onDeleted(): void;
}) {
  const members = useLoad(() => admin.members(team.id), [team.id]);
  const [busy, run] = useAction();
  const [name, setName] = useState(team.name);
  const [adding, setAdding] = useState('');
  const policy = { auto_assign: false, capacity: 5, sticky: true, ...team.assignment };
  const ids = new Set((members.data ?? []).map((user) => user.id));
  const setPolicy = (change: Partial<typeof policy>): void => {
    void run(async () => onSaved(await admin.updateTeam(team.id, { assignment: { ...policy, ...change } })), 'Assignment saved.');
  };

  return (
    <section class="card settings__card" aria-label={`Team ${team.name}`} data-testid="team">
      <div class="settings__row">
        {canEdit ? (
          <input type="text" aria-label={`Name of team ${team.id}`} maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        ) : (
          <h2 class="settings__subtitle">{team.name}</h2>
        )}
        <span class="muted info__code">{team.id}</span>
        {canEdit && (
          <span class="dialog__actions">
            <button
              type="button"
              class="button"
              disabled={busy || !name.trim() || name.trim() === team.name}
              onClick={() => void run(async () => onSaved(await admin.updateTeam(team.id, { name: name.trim() })), 'Team renamed.')}
            >
              Rename
            </button>
            <button
              type="button"
              class="button button--quiet"
              disabled={busy}
              onClick={() => {
                if (window.confirm(`Delete the team ${team.name}?`)) {
                  void run(() => admin.deleteTeam(team.id), 'Team deleted.').then((ok) => ok && onDeleted());
                }
              }}
            >
              Delete
            </button>
          </span>
        )}
      </div>
      <fieldset class="settings__group">
        <legend>Assignment</legend>
        <label class="check">
          <input type="checkbox" disabled={!canEdit || busy} checked={policy.auto_assign} onChange={(e) => setPolicy({ auto_assign: e.currentTarget.checked })} />
          <span>Assign new conversations to signed-in agents automatically</span>
        </label>
        <label class="check">
          <input type="checkbox" disabled={!canEdit || busy} checked={policy.sticky} onChange={(e) => setPolicy({ sticky: e.currentTarget.checked })} />
          <span>A returning customer goes to their last agent when online</span>
        </label>
        <label class="field field--inline">
          <span>Conversations per agent at most</span>
          <input
            type="number"
            min={1}
            max={100}
            disabled={!canEdit || busy}
            value={policy.capacity}
            onChange={(e) => setPolicy({ capacity: Number(e.currentTarget.value) })}
          />
        </label>
      </fieldset>
      <h3 class="info__title">Members</h3>
      <Loading loaded={members}>
        {(list) => (
          <ul class="chips" aria-label={`Members of ${team.name}`}>
            {list.length === 0 && <li class="muted">No members.</li>}
            {list.map((user) => (
              <li key={user.id} class="chip">
                <span>{user.display_name}</span>
                {canEdit && (
                  <button
                    type="button"
                    class="chip__remove"
                    aria-label={`Remove ${user.display_name} from ${team.name}`}
                    onClick={() => void run(() => admin.removeMember(team.id, user.id), 'Member removed.').then((ok) => ok && members.reload())}
                  >
                    ×
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loading>
      {canEdit && (
        <div class="inline-form">
          <select class="select" aria-label={`Add a member to ${team.name}`} value={adding} onChange={(e) => setAdding(e.currentTarget.value)}>
            <option value="">Add a member…</option>
            {users
              .filter((user) => !ids.has(user.id))
              .map((user) => (
                <option key={user.id} value={user.id}>
                  {user.display_name}
                </option>
              ))}
          </select>
          <button
            type="button"
            class="button"
            disabled={!adding || busy}
            onClick={() => void run(() => admin.addMember(team.id, adding), 'Member added.').then((ok) => ok && (setAdding(''), members.reload()))}
          >
            Add
          </button>
        </div>
      )}
    </section>
  );
}
