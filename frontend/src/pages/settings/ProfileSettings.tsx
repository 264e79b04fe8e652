import { useEffect, useState } from 'preact/hooks';
import { GuideReset } from '../../components/FirstRunGuide';
import { type MessageKey, loadCatalogue, t } from '../../lib/i18n';
import { applyProfile } from '../../lib/locale';
import { themePref } from '../../lib/prefs';
import type { NotificationPreference, Profile } from '../../types';
import { AuthenticatorSetup, PasswordChange } from '../../components/AccountSecurity';
import { admin } from './admin';
import { Loading, type SectionProps, TimeZoneList, useAction, useLoad } from './common';

const LANGUAGES = [
  ['en', 'English'],
  ['nl', 'Nederlands'],
  ['de', 'Deutsch'],
  ['fr', 'Français'],
  ['es', 'Español'],
  ['pt', 'Português'],
] as const;

const NOTIFICATIONS: readonly [NotificationPreference, MessageKey][] = [
  ['all', 'profile.notify_all'],
  ['new_conversations', 'profile.notify_new'],
  ['none', 'profile.notify_none'],
];

const ROLE_LABELS: Record<string, MessageKey> = {
  administrator: 'role.administrator',
  agent: 'role.agent',
  watcher: 'role.watcher',
  supervisor: 'role.supervisor',
  disabled: 'role.disabled',
};

export function roleLabel(role: string): string {
  const key = ROLE_LABELS[role];
  return key ? t(key) : role;
}

/** My profile: everyone edits their own. */
export function ProfileSettings({ me }: SectionProps) {
  const loaded = useLoad(admin.profile);
  return (
    <>
      <Loading loaded={loaded}>{(profile) => <ProfileForm profile={profile} me={me} onSaved={loaded.set} />}</Loading>
      <h2 class="settings__subtitle">{t('profile.password')}</h2>
      <PasswordChange />
      <h2 class="settings__subtitle">{t('profile.authenticator')}</h2>
      <AuthenticatorSetup enabled={!!me.user.mfa_enabled} onEnabled={() => undefined} />
      <h2 class="settings__subtitle">{t('guide.title')}</h2>
      <GuideReset userId={me.user.id} />
    </>
  );
}

function ProfileForm({ profile, me, onSaved }: { profile: Profile; me: SectionProps['me']; onSaved(p: Profile): void }) {
  const [draft, setDraft] = useState<Profile>(profile);
  const [busy, run] = useAction();
  useEffect(() => setDraft(profile), [profile]);

  const save = (event: Event): void => {
    event.preventDefault();
    void run(async () => {
      const saved = await admin.updateProfile({
        display_name: draft.display_name.trim(),
        language: draft.language || null,
        time_zone: draft.time_zone || null,
        dark_mode: !!draft.dark_mode,
        notifications: draft.notifications ?? 'all',
      });
      onSaved(saved);
      themePref.set(saved.dark_mode ? 'dark' : 'light');
      await loadCatalogue(saved.language);
      applyProfile(saved);
    }, t('profile.saved'));
  };

  return (
    <form class="settings__group" onSubmit={save}>
      <dl class="info__list">
        <dt>{t('users.email')}</dt>
        <dd>{me.user.email}</dd>
        <dt>{t('users.role')}</dt>
        <dd data-testid="profile-role">{roleLabel(me.user.role)}</dd>
        <dt>{t('users.teams')}</dt>
        <dd>{me.teams.map((team) => team.name).join(', ')}</dd>
      </dl>
      <label class="field">
        <span class="field__label">{t('users.display_name')}</span>
        <input
          type="text"
          required
          maxLength={100}
          value={draft.display_name}
          onInput={(event) => setDraft({ ...draft, display_name: event.currentTarget.value })}
        />
      </label>
      <div class="form-row">
        <label class="field">
          <span class="field__label">{t('profile.language')}</span>
          <select aria-label={t('profile.language')}
            class="select"
            value={draft.language ?? ''}
            onChange={(event) => setDraft({ ...draft, language: event.currentTarget.value || null })}
          >
            <option value="">{t('profile.not_set')}</option>
            {LANGUAGES.map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field__label">{t('profile.time_zone')}</span>
          <input
            type="text"
            list="profile-zones"
            maxLength={64}
            value={draft.time_zone ?? ''}
            placeholder={Intl.DateTimeFormat().resolvedOptions().timeZone}
            onInput={(event) => setDraft({ ...draft, time_zone: event.currentTarget.value })}
          />
          <TimeZoneList id="profile-zones" />
        </label>
        <label class="field">
          <span class="field__label">{t('profile.notifications')}</span>
          <select aria-label={t('profile.notifications')}
            class="select"
            value={draft.notifications ?? 'all'}
            onChange={(event) =>
              setDraft({ ...draft, notifications: event.currentTarget.value as NotificationPreference })
            }
          >
            {NOTIFICATIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {t(label)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={!!draft.dark_mode}
          onChange={(event) => setDraft({ ...draft, dark_mode: event.currentTarget.checked })}
        />
        <span>{t('header.dark_mode')}</span>
      </label>
      <div>
        <button type="submit" class="button button--primary" disabled={busy || !draft.display_name.trim()}>
          {t('profile.save')}
        </button>
      </div>
    </form>
  );
}
