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
import { type MessageKey, t } from '../lib/i18n';

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
      <nav class="settings__menu" aria-label={t('header.settings')}>
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

const SUPPORT_TEXT: Record<NotificationSupport, MessageKey> = {
  unsupported: 'notifications.unsupported',
  denied: 'notifications.denied',
  default: 'notifications.default',
  granted: 'notifications.granted',
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
      setResult(t('notifications.not_allowed'));
      return;
    }
    const shown = showNotification(t('notifications.test_title'), { body: t('notifications.test_body') });
    setResult(shown ? t('notifications.test_sent') : t('notifications.not_shown'));
  };

  return (
    <div class="settings__group">
      <p>{t('notifications.intro')}</p>
      <label class="check">
        <input
          type="checkbox"
          checked={enabled}
          onChange={(event) => void toggle(event.currentTarget.checked)}
        />
        <span>{t('notifications.show')}</span>
      </label>
      <p class="muted" data-testid="notification-support">
        {t(SUPPORT_TEXT[support])}
      </p>
      <div>
        <button type="button" class="button" onClick={() => void test()} disabled={support === 'unsupported'}>
          {t('notifications.test')}
        </button>
      </div>
      <p role="status" class="muted">
        {result}
      </p>
    </div>
  );
}

const THEMES: readonly { id: ThemeChoice; label: MessageKey }[] = [
  { id: 'system', label: 'appearance.system' },
  { id: 'light', label: 'appearance.light' },
  { id: 'dark', label: 'appearance.dark' },
];

function AppearanceSettings() {
  const [theme, setTheme] = usePref(themePref);
  return (
    <fieldset class="settings__group">
      <legend>{t('appearance.theme')}</legend>
      {THEMES.map((option) => (
        <label key={option.id} class="check">
          <input
            type="radio"
            name="theme"
            value={option.id}
            checked={theme === option.id}
            onChange={() => setTheme(option.id)}
          />
          <span>{t(option.label)}</span>
        </label>
      ))}
      <p class="muted">{t('appearance.kept')}</p>
    </fieldset>
  );
}
