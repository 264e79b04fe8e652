import { Icon } from '../components/Icon';
import { t } from '../lib/i18n';
import { formatHash } from '../lib/route';

const TOPICS = [
  ['help.tabs_title', 'help.tabs_text'],
  ['help.reply_title', 'help.reply_text'],
  ['help.templates_title', 'help.templates_text'],
  ['help.undo_title', 'help.undo_text'],
  ['help.failed_title', 'help.failed_text'],
  ['help.availability_title', 'help.availability_text'],
] as const;

/** How the inbox works, in short: the tabs, replying, templates, undoing, failed messages, availability. */
export function HelpPage() {
  return (
    <main class="help-page">
      <section class="card help-page__body" aria-labelledby="help-title">
        <h1 id="help-title" class="settings__title">
          <Icon name="help" size={22} /> {t('help.title')}
        </h1>
        {TOPICS.map(([title, text]) => (
          <section key={title} class="help-page__topic">
            <h2 class="settings__subtitle">{t(title)}</h2>
            <p>{t(text)}</p>
          </section>
        ))}
        <p>
          <a href={formatHash({ page: 'settings', section: 'shortcuts' })}>{t('help.shortcuts_link')}</a>
          {' · '}
          <a href={formatHash({ page: 'settings', section: 'profile' })}>{t('help.profile_link')}</a>
        </p>
      </section>
    </main>
  );
}
