import { t } from '../lib/i18n';
import { guideDismissedPref, usePref } from '../lib/prefs';
import { Icon } from './Icon';

const TABS = [
  { id: 'new', title: 'guide.new_title', text: 'guide.new_text' },
  { id: 'mine', title: 'guide.mine_title', text: 'guide.mine_text' },
  { id: 'assigned', title: 'guide.assigned_title', text: 'guide.assigned_text' },
  { id: 'all', title: 'guide.all_title', text: 'guide.all_text' },
] as const;

/**
 * A first look at the inbox for someone new: what each of the four tabs holds, where help is.
 * Shown where the conversation will open until it is dismissed (in this browser, per user);
 * "Show the guide again" on the profile brings it back.
 */
export function FirstRunGuide({ userId }: { userId: string }) {
  const [dismissed, setDismissed] = usePref(guideDismissedPref(userId));
  if (dismissed) return <p class="muted placeholder">{t('inbox.select_conversation')}</p>;
  return (
    <section class="guide card" data-testid="first-run-guide" aria-labelledby="guide-title">
      <h2 id="guide-title" class="guide__title">
        {t('guide.title')}
      </h2>
      <p>{t('guide.intro')}</p>
      <ol class="guide__tabs">
        {TABS.map((tab) => (
          <li key={tab.id}>
            <strong>{t(tab.title)}</strong> {t(tab.text)}
          </li>
        ))}
      </ol>
      <p class="muted">
        <Icon name="keyboard" size={16} /> {t('guide.shortcuts')}{' '}
        <a href="#/help">
          <Icon name="help" size={16} /> {t('guide.help')}
        </a>
      </p>
      <div class="dialog__actions dialog__actions--start">
        <button type="button" class="button button--primary" onClick={() => setDismissed(true)}>
          {t('guide.dismiss')}
        </button>
      </div>
    </section>
  );
}

/** On the profile: bring the guide back. */
export function GuideReset({ userId }: { userId: string }) {
  const [dismissed, setDismissed] = usePref(guideDismissedPref(userId));
  return (
    <div class="settings__group">
      <p class="muted">{t('guide.reset_hint')}</p>
      <div>
        <button type="button" class="button" disabled={!dismissed} onClick={() => setDismissed(false)} data-testid="guide-reset">
          {dismissed ? t('guide.reset') : t('guide.showing')}
        </button>
      </div>
    </div>
  );
}
