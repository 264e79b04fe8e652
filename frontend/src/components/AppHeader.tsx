import { canReadSettings } from '../lib/directory';
import { Icon } from './Icon';
import { themePref, usePref } from '../lib/prefs';
import { DEFAULT_SETTINGS_SECTION, type Route, formatHash, inboxRoute } from '../lib/route';
import { useIsDark } from '../lib/theme';
import type { Availability, Me } from '../types';
import { type MessageKey, t } from '../lib/i18n';
import { USER_CONTENT } from '../lib/userContent';

interface Props {
  me: Me | null;
  route: Route;
  onSignOut(): void;
  onTeamChange(team: string): void;
  onShowShortcuts(): void;
  availability?: { chosen: Availability; effective: Availability; choose(next: Availability): void };
}

const AVAILABILITY_LABELS: Record<Availability, MessageKey> = {
  available: 'availability.available',
  away: 'availability.away',
  offline: 'availability.offline',
};

export function AppHeader({ me, route, onSignOut, onTeamChange, onShowShortcuts, availability }: Props) {
  const [theme, setTheme] = usePref(themePref);
  const dark = useIsDark(theme);
  const teams = me?.teams ?? [];
  const inInbox = route.page === 'inbox';

  return (
    <header class="app-header">
      <span class="app-header__title">{t('header.title')}</span>
      {me && (
        <nav class="app-header__nav" aria-label={t('header.main_navigation')}>
          <a
            class="nav-link"
            href={formatHash(inInbox ? inboxRoute(route.view) : inboxRoute('new'))}
            aria-current={inInbox ? 'page' : undefined}
          >
            {t('header.conversations')}
          </a>
          <a
            class="nav-link"
            href={formatHash({ page: 'customers', customerId: null })}
            aria-current={route.page === 'customers' ? 'page' : undefined}
          >
            {t('header.customers')}
          </a>
          {canReadSettings(me.user.role) && (
            <a
              class="nav-link"
              href={formatHash({ page: 'statistics' })}
              aria-current={route.page === 'statistics' ? 'page' : undefined}
            >
              {t('header.statistics')}
            </a>
          )}
          <a
            class="nav-link"
            href={formatHash({ page: 'settings', section: DEFAULT_SETTINGS_SECTION })}
            aria-current={route.page === 'settings' ? 'page' : undefined}
          >
            {t('header.settings')}
          </a>
        </nav>
      )}
      <span class="app-header__spacer" />
      {me && teams.length > 1 && (
        <label class="team-switch">
          <span class="team-switch__label">{t('header.team')}</span>
          <select
            class="select"
            value={me.team_id}
            onChange={(event) => onTeamChange(event.currentTarget.value)}
          >
            {teams.map(({ id, name }) => (
              <option key={id} value={id} {...USER_CONTENT}>
                {name}
              </option>
            ))}
          </select>
        </label>
      )}
      <button
        type="button"
        class="button button--quiet icon-button"
        aria-label={t('header.shortcuts')}
        aria-keyshortcuts="Shift+Alt+?"
        title={t('header.shortcuts_hint')}
        onClick={onShowShortcuts}
      >
        <Icon name="keyboard" />
      </button>
      <a class="button button--quiet" href="#/help" aria-current={route.page === 'help' ? 'page' : undefined} data-testid="help-link">
        <Icon name="help" /> {t('header.help')}
      </a>
      <button
        type="button"
        class="button button--quiet icon-button"
        aria-label={t('header.dark_mode')}
        aria-pressed={dark}
        title={dark ? t('header.to_light') : t('header.to_dark')}
        onClick={() => setTheme(dark ? 'light' : 'dark')}
      >
        <Icon name={dark ? 'sun' : 'moon'} />
      </button>
      {me && availability && (
        <label class="team-switch" title={t('header.availability_hint')}>
          <span class={`availability-dot availability-dot--${availability.effective}`} aria-hidden="true" />
          <span class="team-switch__label">{t('header.status')}</span>
          <select
            class="select"
            data-testid="availability"
            aria-label={t('header.status')}
            aria-keyshortcuts="Alt+S"
            value={availability.chosen}
            onChange={(event) => availability.choose(event.currentTarget.value as Availability)}
          >
            {(Object.keys(AVAILABILITY_LABELS) as Availability[]).map((value) => (
              <option key={value} value={value}>
                {value === 'available' && availability.effective === 'away'
                  ? t('availability.available_idle')
                  : t(AVAILABILITY_LABELS[value])}
              </option>
            ))}
          </select>
        </label>
      )}
      {me && (
        <span class="app-header__user" title={me.user.email} {...USER_CONTENT}>
          <span data-testid="current-user">{me.user.display_name}</span>
        </span>
      )}
      <button type="button" class="button button--quiet" onClick={onSignOut}>
        {t('header.sign_out')}
      </button>
    </header>
  );
}
