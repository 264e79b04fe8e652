import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../../api';
import { teamMembers } from '../../lib/directory';
import type { Presence, User } from '../../types';
import type { SectionProps } from './common';

const STATUS_LABELS = { available: 'Available', away: 'Away', offline: 'Offline' } as const;
const REFRESH_MS = 30_000;

/** The team now (supervisors, watchers, administrators): each member's status and load. */
export function TeamNowSettings({ me }: SectionProps) {
  const [rows, setRows] = useState<{ user: User; presence: Presence | undefined }[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = (): void => {
      Promise.all([api.online(), teamMembers(me.team_id, true)]).then(
        ([online, members]) => {
          if (!live) return;
          const seen = new Map(online.items.map((presence) => [presence.user_id, presence]));
          setRows(members.map((user) => ({ user, presence: seen.get(user.id) })));
          setError(null);
        },
        (caught: unknown) => live && setError(errorMessage(caught)),
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [me.team_id]);

  return (
    <section class="settings__group">
      <p class="muted">Who in this team is working now, and how many conversations each has. Only Available agents get new ones.</p>
      {error && <p role="alert">{error}</p>}
      {rows === null ? (
        <p class="muted">Loading…</p>
      ) : (
        <table class="table" data-testid="team-now">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Assigned conversations</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ user, presence }) => (
              <tr key={user.id} data-user={user.id}>
                <th scope="row">{user.display_name}</th>
                <td data-testid="team-now-status">
                  <span class={`availability-dot availability-dot--${presence?.status ?? 'offline'}`} aria-hidden="true" />
                  {presence ? STATUS_LABELS[presence.status ?? 'available'] : 'Not signed in'}
                </td>
                <td>{presence?.load ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
