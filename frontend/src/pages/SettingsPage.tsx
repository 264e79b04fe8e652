import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ShortcutList } from '../components/ShortcutList';
import { type NotificationSupport, ensurePermission, notificationSupport, showNotification } from '../lib/desktop';
import { type ThemeChoice, notificationsPref, themePref, usePref } from '../lib/prefs';
import { formatHash, sectionsFor } from '../lib/route';
import type { Me } from '../types';
import { ChannelsSettings } from './settings/ChannelsSettings';
import type { SectionProps } from './settings/common';
import { OfficeHoursSettings } from './settings/OfficeHoursSettings';
import { OutOfOfficeSettings } from './settings/OutOfOfficeSettings';
import { ProfileSettings } from './settings/ProfileSettings';
import { QuickReplySettings } from './settings/QuickReplySettings';
import { RoutingSettings } from './settings/RoutingSettings';
import { ServiceSettings } from './settings/ServiceSettings';
import { TagSettings } from './settings/TagSettings';
import { TeamNowSettings } from './settings/TeamNowSettings';
import { TeamsSettings } from './settings/TeamsSettings';
import { TemplateSettings } from './settings/TemplateSettings';
import { UserRolesSettings } from './settings/UserRolesSettings';

export interface SettingsPageProps {
  section: string;
  me: Me;
}

const SECTIONS: Record<string, (props: SectionProps) => ComponentChildren> = {
  profile: ProfileSettings,
  service: ServiceSettings,
  'office-hours': OfficeHoursSettings,
  'out-of-office': OutOfOfficeSettings,
  channels: ChannelsSettings,
  templates: TemplateSettings,
  notifications: NotificationSettings,
  'quick-replies': QuickReplySettings,
  'user-roles': UserRolesSettings,
  tags: TagSettings,
  teams: TeamsSettings,
  'team-now': TeamNowSettings,
  routing: RoutingSettings,
  appearance: AppearanceSettings,
  shortcuts: ShortcutList,
};

/**
 * Settings: a menu of the sections this role sees and the open one. Administrators change the
 * administration's settings; watchers read them; agents do not see them (the seed's role table).
 */
export function SettingsPage({ section, me }: SettingsPageProps) {
  const visible = sectionsFor(me.user.role);
  const current = visible.find((candidate) => candidate.id === section) ?? visible[0];
  if (!current) return null;
  const Section = SECTIONS[current.id] ?? ShortcutList;
  const canEdit = me.user.role === 'administrator';
  return (
    <main class="settings">
      <nav class="settings__menu" aria-label="Settings">
        <ul>
          {visible.map((item) => (
            <li key={item.id}>
              <a
                class="settings__link"
                href={formatHash({ page: 'settings', section: item.id })}
                aria-current={item.id === current.id ? 'page' : undefined}
              >
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section class="settings__body card" aria-labelledby="settings-title">
        <h1 id="settings-title" class="settings__title">
          {current.label}
        </h1>
        <Section key={current.id} me={me} canEdit={canEdit} />
      </section>
    </main>
  );
}

const SUPPORT_TEXT: Record<NotificationSupport, string> = {
  unsupported: 'This browser cannot show desktop notifications.',
  denied: 'This browser blocks notifications from the inbox. Allow them in the site settings of your browser.',
  default: 'The browser will ask you to allow notifications.',
  granted: 'This browser allows notifications from the inbox.',
};

function NotificationSettings() {
  const [enabled, setEnabled] = usePref(notificationsPref);
  const [support, setSupport] = useState(notificationSupport);
  const [result, setResult] = useState<string | null>(null);

  const ask = async (): Promise<boolean> => {
    const granted = await ensurePermission();
    setSupport(notificationSupport());
    return granted;
  };

  const toggle = async (on: boolean): Promise<void> => {
    setEnabled(on);
    if (on) await ask();
  };

  const test = async (): Promise<void> => {
    if (!(await ask())) {
      setResult('The browser did not allow the notification.');
      return;
    }
    const shown = showNotification('Test notification', { body: 'Notifications from the inbox work.' });
    setResult(shown ? 'A test notification was sent.' : 'The browser did not show the notification.');
  };

  return (
    <div class="settings__group">
      <p>
        Get a desktop notification when a new conversation or a new customer message arrives while this tab
        is in the background. The setting is kept in this browser only.
      </p>
      <label class="check">
        <input
          type="checkbox"
          checked={enabled}
          onChange={(event) => void toggle(event.currentTarget.checked)}
        />
        <span>Show desktop notifications</span>
      </label>
      <p class="muted" data-testid="notification-support">
        {SUPPORT_TEXT[support]}
      </p>
      <div>
        <button type="button" class="button" onClick={() => void test()} disabled={support === 'unsupported'}>
          Test notification
        </button>
      </div>
      <p role="status" class="muted">
        {result}
      </p>
    </div>
  );
}

const THEMES: readonly { id: ThemeChoice; label: string }[] = [
  { id: 'system', label: 'As the system' },
  { id: 'light', label: 'Light' },
  { id: 'dark', label: 'Dark' },
];

function AppearanceSettings() {
  const [theme, setTheme] = usePref(themePref);
  return (
    <fieldset class="settings__group">
      <legend>Theme</legend>
      {THEMES.map((option) => (
        <label key={option.id} class="check">
          <input
            type="radio"
            name="theme"
            value={option.id}
            checked={theme === option.id}
            onChange={() => setTheme(option.id)}
          />
          <span>{option.label}</span>
        </label>
      ))}
      <p class="muted">Kept in this browser only.</p>
    </fieldset>
  );
}
