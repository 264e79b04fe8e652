import { useState } from 'preact/hooks';
import { ChannelBadge } from '../../components/ChannelBadge';
import { useConfirm } from '../../components/ConfirmDialog';
import { Icon } from '../../components/Icon';
import { CHANNELS } from '../../components/FilterDialog';
import { copyText } from '../../lib/clipboard';
import { useAlerts } from '../../lib/alerts';
import { channelInfo } from '../../lib/format';
import { t } from '../../lib/i18n';
import { USER_CONTENT, userValues } from '../../lib/userContent';
import type { ChannelAccount, ChannelAccountInput, TeamSettings } from '../../types';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, useAction, useLoad } from './common';

interface Pair {
  key: string;
  value: string;
}

/** Credential names and values, typed in and never shown again (the API keeps them write-only). */
function CredentialFields({ pairs, onChange, label }: { pairs: Pair[]; onChange(p: Pair[]): void; label: string }) {
  return (
    <fieldset class="settings__group">
      <legend>{label}</legend>
      {pairs.map((pair, index) => (
        <div class="inline-form" key={index}>
          <input
            type="text"
            aria-label={t('channels.credential_name', { n: index + 1 })}
            placeholder={t('channels.credential_name_example')}
            value={pair.key}
            onInput={(e) => onChange(pairs.map((p, at) => (at === index ? { ...p, key: e.currentTarget.value } : p)))}
          />
          <input
            type="password"
            autocomplete="off"
            aria-label={t('channels.credential_value', { n: index + 1 })}
            placeholder={t('channels.value')}
            value={pair.value}
            onInput={(e) => onChange(pairs.map((p, at) => (at === index ? { ...p, value: e.currentTarget.value } : p)))}
          />
          <button type="button" class="button button--quiet" aria-label={t('channels.remove_credential', { n: index + 1 })} onClick={() => onChange(pairs.filter((_, at) => at !== index))}>
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
      <div>
        <button type="button" class="button" onClick={() => onChange([...pairs, { key: '', value: '' }])}>
          {t('channels.add_credential')}
        </button>
      </div>
    </fieldset>
  );
}

function toCredentials(pairs: Pair[]): Record<string, string> {
  return Object.fromEntries(pairs.filter((pair) => pair.key.trim()).map((pair) => [pair.key.trim(), pair.value]));
}

/** Channel accounts with their webhook URLs: add, enable or disable, route to a team, rotate credentials. */
export function ChannelsSettings({ canEdit }: SectionProps) {
  const accounts = useLoad(admin.accounts);
  const teams = useLoad(admin.teams);
  const [adding, setAdding] = useState(false);
  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <p class="muted">{t('channels.intro')}</p>
      <Loading loaded={accounts}>
        {(list) => (
          <>
            {list.length === 0 && <p class="muted">{t('channels.none')}</p>}
            {list.map((account) => (
              <AccountCard
                key={account.id}
                account={account}
                teams={teams.data ?? []}
                canEdit={canEdit}
                onChanged={(saved) => accounts.set(list.map((item) => (item.id === saved.id ? saved : item)))}
              />
            ))}
          </>
        )}
      </Loading>
      {canEdit &&
        (adding ? (
          <AddAccount
            teams={teams.data ?? []}
            onCancel={() => setAdding(false)}
            onAdded={() => {
              setAdding(false);
              accounts.reload();
            }}
          />
        ) : (
          <div>
            <button type="button" class="button button--primary" onClick={() => setAdding(true)}>
              {t('channels.add_account')}
            </button>
          </div>
        ))}
    </>
  );
}

function AccountCard({
  account,
  teams,
  canEdit,
  onChanged,
}: {
  account: ChannelAccount;
  teams: TeamSettings[];
  canEdit: boolean;
  onChanged(a: ChannelAccount): void;
}) {
  const alerts = useAlerts();
  const [busy, run] = useAction();
  const [rotating, setRotating] = useState<Pair[] | null>(null);
  const [confirmation, confirm] = useConfirm();
  const toggle = async (): Promise<void> => {
    if (account.enabled) {
      const sure = await confirm({
        title: t('channels.disable_title', { name: account.name }),
        effect: t('channels.disable_effect', { name: account.name, channel: channelInfo(account.channel).label }),
        action: t('channels.disable_action'),
      });
      if (!sure) return;
    }
    void run(
      async () => onChanged(await admin.updateAccount(account.id, { enabled: !account.enabled })),
      account.enabled ? t('channels.disabled_notice', { name: account.name }) : t('channels.enabled_notice', { name: account.name }),
    );
  };
  return (
    <section class="card settings__card" aria-label={t('channels.account_label', { name: account.name })} {...userValues(account.name)} data-testid="channel-account">
      <h2 class="settings__subtitle">
        <ChannelBadge channel={account.channel} showLabel /> <span {...USER_CONTENT}>{account.name}</span>{' '}
        <span class={account.enabled ? 'state' : 'state state--off'}>{account.enabled ? t('channels.enabled') : t('channels.disabled')}</span>
      </h2>
      <dl class="info__list">
        <dt>{t('channels.account_id')}</dt>
        <dd class="info__code">{account.id}</dd>
        <dt>{t('channels.provider_account')}</dt>
        <dd class="info__code">{account.provider_account_id}</dd>
        <dt>{t('channels.webhook_url')}</dt>
        <dd class="info__code">
          <span data-testid="webhook-url">{account.webhook_url}</span>{' '}
          <button
            type="button"
            class="link-button"
            onClick={() => void copyText(account.webhook_url).then((ok) => alerts.notify(ok ? t('channels.copied') : t('channels.copy_failed')))}
          >
            {t('channels.copy')}
          </button>
        </dd>
        <dt>{t('channels.team')}</dt>
        <dd>
          {canEdit ? (
            <select
              class="select"
              aria-label={t('channels.team_of', { name: account.name })} {...userValues(account.name)}
              value={account.team_id}
              disabled={busy}
              onChange={(e) => {
                const team_id = e.currentTarget.value;
                void run(async () => onChanged(await admin.updateAccount(account.id, { team_id })), t('channels.routed'));
              }}
            >
              {teams.length === 0 && <option value={account.team_id}>{account.team_id}</option>}
              {teams.map((team) => (
                <option key={team.id} value={team.id} {...USER_CONTENT}>
                  {team.name}
                </option>
              ))}
            </select>
          ) : (
            (teams.find((team) => team.id === account.team_id)?.name ?? account.team_id)
          )}
        </dd>
      </dl>
      {canEdit && (
        <div class="dialog__actions dialog__actions--start">
          <button
            type="button"
            class="button"
            disabled={busy}
            onClick={() => void toggle()}
          >
            {account.enabled ? t('channels.disable') : t('channels.enable')}
          </button>
          <button type="button" class="button" onClick={() => setRotating(rotating ? null : [{ key: '', value: '' }])}>
            {t('channels.rotate')}
          </button>
        </div>
      )}
      {rotating && (
        <form
          class="settings__group"
          onSubmit={(event) => {
            event.preventDefault();
            void run(() => admin.rotateCredentials(account.id, toCredentials(rotating)), t('channels.replaced')).then(
              (ok) => ok && setRotating(null),
            );
          }}
        >
          <CredentialFields pairs={rotating} onChange={setRotating} label={t('channels.new_credentials')} />
          <div>
            <button type="submit" class="button button--primary" disabled={busy || !Object.keys(toCredentials(rotating)).length}>
              {t('channels.save_credentials')}
            </button>
          </div>
        </form>
      )}
      {confirmation}
    </section>
  );
}

function AddAccount({ teams, onCancel, onAdded }: { teams: TeamSettings[]; onCancel(): void; onAdded(): void }) {
  const [busy, run] = useAction();
  const [fields, setFields] = useState({ id: '', channel: 'whatsapp', name: '', provider_account_id: '', api_base_url: '', team_id: '' });
  const [pairs, setPairs] = useState<Pair[]>([{ key: '', value: '' }]);
  const field = (key: keyof typeof fields, label: string, extra: Record<string, unknown> = {}) => (
    <label class="field">
      <span class="field__label">{label}</span>
      <input type="text" required value={fields[key]} onInput={(e) => setFields({ ...fields, [key]: e.currentTarget.value })} {...extra} />
    </label>
  );
  return (
    <form
      class="card settings__card settings__group"
      aria-label={t('channels.add_account')}
      onSubmit={(event) => {
        event.preventDefault();
        void run(
          () => admin.addAccount({
            ...fields, channel: fields.channel as ChannelAccountInput['channel'], team_id: fields.team_id || null,
            credentials: toCredentials(pairs),
          }),
          t('channels.added'),
        ).then((ok) => ok && onAdded());
      }}
    >
      <h2 class="settings__subtitle">{t('channels.add_account')}</h2>
      <div class="form-row">
        <label class="field">
          <span class="field__label">{t('channels.channel')}</span>
          <select aria-label={t('channels.channel')} class="select" value={fields.channel} onChange={(e) => setFields({ ...fields, channel: e.currentTarget.value })}>
            {CHANNELS.map((channel) => (
              <option key={channel} value={channel}>
                {channelInfo(channel).label}
              </option>
            ))}
          </select>
        </label>
        {field('id', t('channels.account_id'), { pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}', title: t('channels.id_hint') })}
        {field('name', t('channels.name'), { maxLength: 100 })}
        {field('provider_account_id', t('channels.provider_account_id'), { maxLength: 128 })}
        {field('api_base_url', t('channels.api_url'), { type: 'url', placeholder: 'https://graph.facebook.com' })}
        <label class="field">
          <span class="field__label">{t('channels.team')}</span>
          <select aria-label={t('channels.team')} class="select" value={fields.team_id} onChange={(e) => setFields({ ...fields, team_id: e.currentTarget.value })}>
            <option value="">{t('channels.default_team')}</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id} {...USER_CONTENT}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <CredentialFields pairs={pairs} onChange={setPairs} label={t('channels.credentials')} />
      <div class="dialog__actions dialog__actions--start">
        <button type="submit" class="button button--primary" disabled={busy}>
          {t('channels.add')}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
