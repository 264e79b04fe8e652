import { useState } from 'preact/hooks';
import type { Role, User } from '../../types';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';
import { roleLabel } from './ProfileSettings';

const ROLES: readonly Role[] = ['administrator', 'agent', 'supervisor', 'watcher'];

/** Users and their roles, and the seats in use (administrators, agents and supervisors take one). */
export function UserRolesSettings({ me, canEdit }: SectionProps) {
  const users = useLoad(admin.users);
  const service = useLoad(admin.service);
  const [search, setSearch] = useState('');
  const [busy, run] = useAction();
  const [invite, setInvite] = useState({ email: '', display_name: '', role: '' });
  const term = search.trim().toLowerCase();

  const change = (action: () => Promise<User>, notice: string): void => {
    void run(async () => {
      const saved = await action();
      users.set((users.data ?? []).map((item) => (item.id === saved.id ? saved : item)));
      service.reload();
    }, notice);
  };

  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      {service.data && (
        <p data-testid="seats">
          Seats in use: <strong>{service.data.seats_used}</strong> of {service.data.seats} ({service.data.seats_free} free).
          Administrators, agents and supervisors take a seat; watchers and disabled users do not. Supervisors read every team and its settings and statistics, and assign conversations.
        </p>
      )}
      <input type="search" aria-label="Search users" placeholder="Search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <Loading loaded={users}>
        {(list) => (
          <table class="table" data-testid="users">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Teams</th>
                {canEdit && <th scope="col"><span class="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {list
                .filter((user) => !term || user.display_name.toLowerCase().includes(term) || user.email.toLowerCase().includes(term))
                .map((user) => (
                  <tr key={user.id}>
                    <td>{user.display_name}</td>
                    <td>{user.email}</td>
                    <td>
                      {canEdit && user.role !== 'disabled' && user.id !== me.user.id ? (
                        <select
                          class="select"
                          aria-label={`Role of ${user.display_name}`}
                          value={user.role}
                          disabled={busy}
                          onChange={(e) => {
                            const role = e.currentTarget.value as Role;
                            change(() => admin.setRole(user.id, role), `${user.display_name} is now ${roleLabel(role)}.`);
                          }}
                        >
                          {ROLES.map((role) => (
                            <option key={role} value={role}>
                              {roleLabel(role)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        roleLabel(user.role)
                      )}
                    </td>
                    <td>{user.team_ids.join(', ')}</td>
                    {canEdit && (
                      <td>
                        {user.id !== me.user.id &&
                          (user.role === 'disabled' ? (
                            <button type="button" class="button button--quiet" disabled={busy} onClick={() => change(() => admin.enable(user.id), `${user.display_name} enabled.`)}>
                              Enable
                            </button>
                          ) : (
                            <>
                              <button type="button" class="button button--quiet" disabled={busy} onClick={() => change(() => admin.disable(user.id), `${user.display_name} disabled.`)}>
                                Disable
                              </button>
                              <button type="button" class="button button--quiet" disabled={busy} title="A new temporary password by mail, for a user who has not signed in yet" onClick={() => change(() => admin.resendInvitation(user.id), `Invitation sent again to ${user.email}.`)}>
                                Resend invitation
                              </button>
                              {user.mfa_enabled && (
                                <button type="button" class="button button--quiet" disabled={busy} title="For a lost authenticator app: they set it up again" onClick={() => change(() => admin.resetMfa(user.id), `MFA of ${user.display_name} reset.`)}>
                                  Reset MFA
                                </button>
                              )}
                            </>
                          ))}
                      </td>
                    )}
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </Loading>
      {canEdit && (
        <form
          class="card settings__card settings__group"
          aria-label="Invite a user"
          onSubmit={(event) => {
            event.preventDefault();
            void run(async () => {
              await admin.invite({
                email: invite.email.trim(),
                display_name: invite.display_name.trim(),
                ...(invite.role ? { role: invite.role as Role } : {}),
              });
              setInvite({ email: '', display_name: '', role: '' });
              users.reload();
              service.reload();
            }, 'User invited.');
          }}
        >
          <h2 class="settings__subtitle">Invite a user</h2>
          <div class="form-row">
            <label class="field">
              <span class="field__label">Email</span>
              <input type="email" required maxLength={320} value={invite.email} onInput={(e) => setInvite({ ...invite, email: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field__label">Display name</span>
              <input type="text" required maxLength={100} value={invite.display_name} onInput={(e) => setInvite({ ...invite, display_name: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field__label">Role</span>
              <select aria-label="Role" class="select" value={invite.role} onChange={(e) => setInvite({ ...invite, role: e.currentTarget.value })}>
                <option value="">Agent if a seat is free, else watcher</option>
                {ROLES.map((role) => (
                  <option key={role} value={role}>
                    {roleLabel(role)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div>
            <button type="submit" class="button button--primary" disabled={busy}>
              Invite
            </button>
          </div>
        </form>
      )}
    </>
  );
}
