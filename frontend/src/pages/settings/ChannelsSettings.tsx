import { useState } from 'preact/hooks';
import { ChannelBadge } from '../../components/ChannelBadge';
import { CHANNELS } from '../../components/FilterDialog';
import { copyText } from '../../lib/clipboard';
import { useAlerts } from '../../lib/alerts';
import { channelInfo } from '../../lib/format';
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
            aria-label={`Credential name ${index + 1}`}
            placeholder="Name, e.g. access_token"
            value={pair.key}
            onInput={(e) => onChange(pairs.map((p, at) => (at === index ? { ...p, key: e.currentTarget.value } : p)))}
          />
          <input
            type="password"
            autocomplete="off"
            aria-label={`Credential value ${index + 1}`}
            placeholder="Value"
            value={pair.value}
            onInput={(e) => onChange(pairs.map((p, at) => (at === index ? { ...p, value: e.currentTarget.value } : p)))}
          />
          <button type="button" class="button button--quiet" aria-label={`Remove credential ${index + 1}`} onClick={() => onChange(pairs.filter((_, at) => at !== index))}>
            ×
          </button>
        </div>
      ))}
      <div>
        <button type="button" class="button" onClick={() => onChange([...pairs, { key: '', value: '' }])}>
          Add credential
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
      <p class="muted">Give each provider the webhook URL of its account. Credentials are stored encrypted and never shown again.</p>
      <Loading loaded={accounts}>
        {(list) => (
          <>
            {list.length === 0 && <p class="muted">No channel accounts yet.</p>}
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
              Add channel account
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
  return (
    <section class="card settings__card" aria-label={`Channel account ${account.name}`} data-testid="channel-account">
      <h2 class="settings__subtitle">
        <ChannelBadge channel={account.channel} showLabel /> {account.name}{' '}
        <span class={account.enabled ? 'state' : 'state state--off'}>{account.enabled ? 'Enabled' : 'Disabled'}</span>
      </h2>
      <dl class="info__list">
        <dt>Account ID</dt>
        <dd class="info__code">{account.id}</dd>
        <dt>Provider account</dt>
        <dd class="info__code">{account.provider_account_id}</dd>
        <dt>Webhook URL</dt>
        <dd class="info__code">
          <span data-testid="webhook-url">{account.webhook_url}</span>{' '}
          <button
            type="button"
            class="link-button"
            onClick={() => void copyText(account.webhook_url).then((ok) => alerts.notify(ok ? 'Webhook URL copied.' : 'Could not copy.'))}
          >
            Copy
          </button>
        </dd>
        <dt>Team</dt>
        <dd>
          {canEdit ? (
            <select
              class="select"
              aria-label={`Team of ${account.name}`}
              value={account.team_id}
              disabled={busy}
              onChange={(e) => {
                const team_id = e.currentTarget.value;
                void run(async () => onChanged(await admin.updateAccount(account.id, { team_id })), 'Account routed to the team.');
              }}
            >
              {teams.length === 0 && <option value={account.team_id}>{account.team_id}</option>}
              {teams.map((team) => (
                <option key={team.id} value={team.id}>
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
            onClick={() =>
              void run(
                async () => onChanged(await admin.updateAccount(account.id, { enabled: !account.enabled })),
                account.enabled ? `${account.name} disabled.` : `${account.name} enabled.`,
              )
            }
          >
            {account.enabled ? 'Disable' : 'Enable'}
          </button>
          <button type="button" class="button" onClick={() => setRotating(rotating ? null : [{ key: '', value: '' }])}>
            Rotate credentials
          </button>
        </div>
      )}
      {rotating && (
        <form
          class="settings__group"
          onSubmit={(event) => {
            event.preventDefault();
            void run(() => admin.rotateCredentials(account.id, toCredentials(rotating)), 'Credentials replaced.').then(
              (ok) => ok && setRotating(null),
            );
          }}
        >
          <CredentialFields pairs={rotating} onChange={setRotating} label="New credentials (replace all of them)" />
          <div>
            <button type="submit" class="button button--primary" disabled={busy || !Object.keys(toCredentials(rotating)).length}>
              Save credentials
            </button>
          </div>
        </form>
      )}
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
      aria-label="Add channel account"
      onSubmit={(event) => {
        event.preventDefault();
        void run(
          () => admin.addAccount({
            ...fields, channel: fields.channel as ChannelAccountInput['channel'], team_id: fields.team_id || null,
            credentials: toCredentials(pairs),
          }),
          'Channel account added: give the provider its webhook URL.',
        ).then((ok) => ok && onAdded());
      }}
    >
      <h2 class="settings__subtitle">Add channel account</h2>
      <div class="form-row">
        <label class="field">
          <span class="field__label">Channel</span>
          <select aria-label="Channel" class="select" value={fields.channel} onChange={(e) => setFields({ ...fields, channel: e.currentTarget.value })}>
            {CHANNELS.map((channel) => (
              <option key={channel} value={channel}>
                {channelInfo(channel).label}
              </option>
            ))}
          </select>
        </label>
        {field('id', 'Account ID', { pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}', title: 'Letters, digits, _ . -' })}
        {field('name', 'Name', { maxLength: 100 })}
        {field('provider_account_id', 'Provider account ID', { maxLength: 128 })}
        {field('api_base_url', 'Provider API URL', { type: 'url', placeholder: 'https://graph.facebook.com' })}
        <label class="field">
          <span class="field__label">Team</span>
          <select aria-label="Team" class="select" value={fields.team_id} onChange={(e) => setFields({ ...fields, team_id: e.currentTarget.value })}>
            <option value="">Default team</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <CredentialFields pairs={pairs} onChange={setPairs} label="Credentials" />
      <div class="dialog__actions dialog__actions--start">
        <button type="submit" class="button button--primary" disabled={busy}>
          Add account
        </button>
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
