import { useState } from 'preact/hooks';
import { useConfirm } from '../../components/ConfirmDialog';
import { t } from '../../lib/i18n';
import { USER_CONTENT, userValues } from '../../lib/userContent';
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
  const [confirmation, confirm] = useConfirm();

  const disable = async (user: User): Promise<void> => {
    const sure = await confirm({
      title: t('users.disable_title', { name: user.display_name }),
      effect: t('users.disable_effect', { name: user.display_name }),
      action: t('users.disable_action'),
    });
    if (sure) change(() => admin.disable(user.id), t('users.disabled', { name: user.display_name }));
  };

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
          {t('users.seats', { used: service.data.seats_used, seats: service.data.seats, free: service.data.seats_free })}{' '}
          {t('users.seats_rule')}
        </p>
      )}
      <input type="search" aria-label={t('users.search')} placeholder={t('common.search')} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <Loading loaded={users}>
        {(list) => (
          <table class="table" data-testid="users">
            <thead>
              <tr>
                <th scope="col">{t('users.name')}</th>
                <th scope="col">{t('users.email')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('users.teams')}</th>
                {canEdit && <th scope="col"><span class="sr-only">{t('users.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {list
                .filter((user) => !term || user.display_name.toLowerCase().includes(term) || user.email.toLowerCase().includes(term))
                .map((user) => (
                  <tr key={user.id}>
                    <td {...USER_CONTENT}>{user.display_name}</td>
                    <td {...USER_CONTENT}>{user.email}</td>
                    <td>
                      {canEdit && user.role !== 'disabled' && user.id !== me.user.id ? (
                        <select
                          class="select"
                          aria-label={t('users.role_of', { name: user.display_name })} {...userValues(user.display_name)}
                          value={user.role}
                          disabled={busy}
                          onChange={(e) => {
                            const role = e.currentTarget.value as Role;
                            change(() => admin.setRole(user.id, role), t('users.role_changed', { name: user.display_name, role: roleLabel(role) }));
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
                            <button type="button" class="button button--quiet" disabled={busy} onClick={() => change(() => admin.enable(user.id), t('users.enabled', { name: user.display_name }))}>
                              {t('users.enable')}
                            </button>
                          ) : (
                            <>
                              <button type="button" class="button button--quiet" disabled={busy} onClick={() => void disable(user)}>
                                {t('users.disable')}
                              </button>
                              <button type="button" class="button button--quiet" disabled={busy} title={t('users.resend_hint')} onClick={() => change(() => admin.resendInvitation(user.id), t('users.resent', { email: user.email }))}>
                                {t('users.resend')}
                              </button>
                              {user.mfa_enabled && (
                                <button type="button" class="button button--quiet" disabled={busy} title={t('users.reset_mfa_hint')} onClick={() => change(() => admin.resetMfa(user.id), t('users.mfa_reset', { name: user.display_name }))}>
                                  {t('users.reset_mfa')}
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
          aria-label={t('users.invite_title')}
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
            }, t('users.invited'));
          }}
        >
          <h2 class="settings__subtitle">{t('users.invite_title')}</h2>
          <div class="form-row">
            <label class="field">
              <span class="field__label">{t('users.email')}</span>
              <input type="email" required maxLength={320} value={invite.email} onInput={(e) => setInvite({ ...invite, email: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field__label">{t('users.display_name')}</span>
              <input type="text" required maxLength={100} value={invite.display_name} onInput={(e) => setInvite({ ...invite, display_name: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field__label">{t('users.role')}</span>
              <select aria-label={t('users.role')} class="select" value={invite.role} onChange={(e) => setInvite({ ...invite, role: e.currentTarget.value })}>
                <option value="">{t('users.role_default')}</option>
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
              {t('users.invite')}
            </button>
          </div>
        </form>
      )}
      {confirmation}
    </>
  );
}
