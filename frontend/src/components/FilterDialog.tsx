import { useEffect, useState } from 'preact/hooks';
import { tagCatalogue, teamMembers } from '../lib/directory';
import { channelInfo, fullTime, stateLabel } from '../lib/format';
import { displayZone, isoToLocal, localToIso } from '../lib/locale';
import type { ConversationFilters, ConversationState, Me, User } from '../types';
import { Dialog } from './Dialog';

export const CHANNELS = ['whatsapp', 'messenger', 'instagram', 'telegram', 'sms', 'viber', 'email'] as const;
const STATES: readonly ConversationState[] = ['new', 'assigned', 'archived'];

/** How many filters are set. */
export function filterCount(filters: ConversationFilters): number {
  return Object.values(filters).filter((value) => value !== undefined && value !== '').length;
}

/** The filters in words, for the line above the list. */
export function describeFilters(filters: ConversationFilters, names: Map<string, string>): string[] {
  const parts: string[] = [];
  if (filters.channel) parts.push(`Channel: ${channelInfo(filters.channel).label}`);
  if (filters.agent) parts.push(`Agent: ${names.get(filters.agent) ?? filters.agent}`);
  if (filters.tag) parts.push(`Tag: ${filters.tag}`);
  if (filters.state) parts.push(`State: ${stateLabel(filters.state)}`);
  if (filters.customer) parts.push(`Customer: ${filters.customer}`);
  if (filters.conversation_id) parts.push(`Conversation: ${filters.conversation_id}`);
  if (filters.since) parts.push(`From ${fullTime(filters.since)}`);
  if (filters.until) parts.push(`Until ${fullTime(filters.until)}`);
  return parts;
}

interface Props {
  me: Me;
  filters: ConversationFilters;
  onApply(filters: ConversationFilters, team: string): void;
  onClose(): void;
}

/**
 * The seed's "Filter conversations" dialog: channel, agent, tag, team, state, customer,
 * conversation id and time span. Every filter is exact (the list API's filter parameters).
 */
export function FilterDialog({ me, filters, onApply, onClose }: Props) {
  const [draft, setDraft] = useState<ConversationFilters>(filters);
  const [team, setTeamChoice] = useState(me.team_id);
  const [since, setSince] = useState(isoToLocal(filters.since));
  const [until, setUntil] = useState(isoToLocal(filters.until));
  const [agents, setAgents] = useState<User[]>([]);
  const [tags, setTags] = useState<string[]>([]);

  useEffect(() => {
    let live = true;
    teamMembers(team).then(
      (users) => live && setAgents(users.filter((user) => user.role === 'administrator' || user.role === 'agent')),
      () => live && setAgents([]),
    );
    tagCatalogue().then(
      (all) => live && setTags(all),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [team]);

  const set = (key: keyof ConversationFilters, value: string): void =>
    setDraft((current) => ({ ...current, [key]: value.trim() ? value.trim() : undefined }));

  const apply = (event: Event): void => {
    event.preventDefault();
    onApply({ ...draft, since: localToIso(since), until: localToIso(until) }, team);
  };

  return (
    <Dialog title="Filter conversations" testId="filter-dialog" onClose={onClose}>
      <form class="filter-form" onSubmit={apply}>
        <div class="form-row">
          <label class="field">
            <span class="field__label">Channel</span>
            <select aria-label="Channel" class="select" value={draft.channel ?? ''} onChange={(e) => set('channel', e.currentTarget.value)}>
              <option value="">Any channel</option>
              {CHANNELS.map((channel) => (
                <option key={channel} value={channel}>
                  {channelInfo(channel).label}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field__label">Agent</span>
            <select aria-label="Agent" class="select" value={draft.agent ?? ''} onChange={(e) => set('agent', e.currentTarget.value)}>
              <option value="">Any agent</option>
              {agents.map((user) => (
                <option key={user.id} value={user.id}>
                  {user.display_name}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field__label">Tag</span>
            <input
              type="text"
              list="filter-tags"
              maxLength={50}
              value={draft.tag ?? ''}
              onInput={(e) => set('tag', e.currentTarget.value)}
            />
            <datalist id="filter-tags">
              {tags.map((tag) => (
                <option key={tag} value={tag} />
              ))}
            </datalist>
          </label>
          <label class="field">
            <span class="field__label">Team</span>
            <select aria-label="Team" class="select" value={team} onChange={(e) => setTeamChoice(e.currentTarget.value)}>
              {me.teams.map(({ id, name }) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field__label">State</span>
            <select aria-label="State" class="select" value={draft.state ?? ''} onChange={(e) => set('state', e.currentTarget.value)}>
              <option value="">Any state</option>
              {STATES.map((state) => (
                <option key={state} value={state}>
                  {stateLabel(state)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field__label">Customer</span>
            <input
              type="text"
              maxLength={320}
              placeholder="Name or phone number"
              value={draft.customer ?? ''}
              onInput={(e) => set('customer', e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span class="field__label">Conversation ID</span>
            <input
              type="text"
              maxLength={64}
              value={draft.conversation_id ?? ''}
              onInput={(e) => set('conversation_id', e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span class="field__label">From</span>
            <input type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span class="field__label">Until</span>
            <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
          </label>
        </div>
        <p class="muted">
          Search is exact: a customer is found by their whole name or number. A state filter shows the All tab; an
          agent filter applies to Assigned and All. Times are in your time zone (
          {displayZone()}).
        </p>
        <div class="dialog__actions">
          <button
            type="button"
            class="button button--quiet"
            onClick={() => {
              setDraft({});
              setSince('');
              setUntil('');
            }}
          >
            Clear
          </button>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button--primary">
            Filter
          </button>
        </div>
      </form>
    </Dialog>
  );
}
