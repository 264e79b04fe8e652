import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../../api';
import { fullTime } from '../../lib/format';
import { type MessageKey, t } from '../../lib/i18n';
import { formatNumber } from '../../lib/locale';
import { elapsed } from '../../lib/waiting';
import { USER_CONTENT } from '../../lib/userContent';
import type { TeamOverview } from '../../types';
import type { SectionProps } from './common';

const STATUS_KEYS: Record<string, MessageKey> = {
  available: 'availability.available',
  away: 'availability.away',
  offline: 'availability.offline',
};
const REFRESH_MS = 30_000;

function counted(count: number, limit: number): string {
  return count > limit ? `${formatNumber(limit)}+` : formatNumber(count);
}

/**
 * The team at a glance (supervisors, watchers, administrators; GET /team/overview): each agent's
 * status, open conversations against their capacity, how many of their customers wait for an
 * answer and the longest wait, and the New queue.
 */
export function TeamNowSettings({ me }: SectionProps) {
  const [overview, setOverview] = useState<TeamOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    let live = true;
    const load = (): void => {
      api.teamOverview().then(
        (answer) => {
          if (!live) return;
          setOverview(answer);
          setNow(Date.now());
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

  const limit = overview?.limit ?? 999;
  const capacity = overview?.agents[0]?.capacity ?? 0;
  return (
    <section class="settings__group">
      <p class="muted">{t('team_overview.intro')}</p>
      {error && <p role="alert">{error}</p>}
      {overview === null ? (
        <p class="muted">{t('team_overview.loading')}</p>
      ) : (
        <>
          <p data-testid="team-overview-new">
            {overview.new_longest_waiting_since
              ? t('team_overview.new_longest', {
                  count: counted(overview.new, limit),
                  time: elapsed(overview.new_longest_waiting_since, now),
                })
              : t('team_overview.new', { count: counted(overview.new, limit) })}
          </p>
          {capacity > 0 && (
            <p class="muted">
              {overview.auto_assign
                ? t('team_overview.auto_on', { capacity })
                : t('team_overview.auto_off', { capacity })}
            </p>
          )}
          {overview.agents.length === 0 ? (
            <p class="muted">{t('team_overview.none')}</p>
          ) : (
            <div class="table-scroll">
            <table class="table team-overview" data-testid="team-now">
              <thead>
                <tr>
                  <th scope="col">{t('team_overview.name')}</th>
                  <th scope="col">{t('team_overview.status')}</th>
                  <th scope="col">{t('team_overview.open')}</th>
                  <th scope="col">{t('team_overview.waiting')}</th>
                  <th scope="col">{t('team_overview.longest')}</th>
                  <th scope="col">{t('team_overview.awaiting')}</th>
                </tr>
              </thead>
              <tbody>
                {overview.agents.map((agent) => (
                  <tr key={agent.user_id} data-user={agent.user_id}>
                    <th scope="row" {...USER_CONTENT}>
                      {agent.display_name}
                    </th>
                    <td data-testid="team-now-status">
                      <span class={`availability-dot availability-dot--${agent.status}`} aria-hidden="true" />
                      {t(STATUS_KEYS[agent.status] ?? 'availability.offline')}
                    </td>
                    <td data-testid="team-now-open" class={agent.open >= agent.capacity ? 'at-capacity' : undefined}>
                      {`${formatNumber(agent.open)} / ${formatNumber(agent.capacity)}`}
                    </td>
                    <td data-testid="team-now-waiting">{formatNumber(agent.waiting)}</td>
                    <td title={fullTime(agent.longest_waiting_since)}>
                      {agent.longest_waiting_since ? elapsed(agent.longest_waiting_since, now) : '–'}
                    </td>
                    <td>{formatNumber(agent.awaiting_customer)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
