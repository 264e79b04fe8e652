import { useEffect, useState } from 'preact/hooks';
import { tagCatalogue, teamMembers } from '../lib/directory';
import { channelInfo, fullTime, stateLabel } from '../lib/format';
import { t } from '../lib/i18n';
import { displayZone, isoToLocal, localToIso } from '../lib/locale';
import { USER_CONTENT, userValues } from '../lib/userContent';
import type { ConversationFilters, ConversationState, Me, User } from '../types';
import { Dialog } from './Dialog';
import { normaliseTag } from './TagEditor';
import { Icon } from './Icon';

export const CHANNELS = ['whatsapp', 'messenger', 'instagram', 'telegram', 'sms', 'viber', 'email'] as const;
const STATES: readonly ConversationState[] = ['new', 'assigned', 'archived'];
/** The list API takes at most this many values per filter (`MAX_FILTER_VALUES`). */
export const MAX_FILTER_VALUES = 20;

type ListKey = 'channel' | 'agent' | 'tag' | 'state';

/** How many filters are set (a filter with several values counts once). */
export function filterCount(filters: ConversationFilters): number {
  return Object.values(filters).filter((value) => (Array.isArray(value) ? value.length > 0 : value !== undefined && value !== ''))
    .length;
}

function named(one: string, many: string, values: readonly string[] | undefined, show: (value: string) => string): string[] {
  if (!values?.length) return [];
  return [`${values.length > 1 ? many : one}: ${values.map(show).join(', ')}`];
}

/** The filters in words, for the line above the list. */
export function describeFilters(filters: ConversationFilters, names: Map<string, string>): string[] {
  const parts: string[] = [
    ...named(t('filter.channel'), t('filter.channels'), filters.channel, (channel) => channelInfo(channel).label),
    ...named(t('filter.agent'), t('filter.agents'), filters.agent, (id) => names.get(id) ?? id),
    ...named(t('filter.tag'), t('filter.tags'), filters.tag, (tag) => tag),
    ...named(t('filter.state'), t('filter.states'), filters.state, (state) => stateLabel(state as ConversationState)),
  ];
  if (filters.waiting) parts.push(`${t('filter.waiting')}: ${waitingLabel(filters.waiting)}`);
  if (filters.customer) parts.push(`${t('filter.customer')}: ${filters.customer}`);
  if (filters.conversation_id) parts.push(`${t('conversation.label')}: ${filters.conversation_id}`);
  if (filters.since) parts.push(t('filter.from_time', { time: fullTime(filters.since) }));
  if (filters.until) parts.push(t('filter.until_time', { time: fullTime(filters.until) }));
  return parts;
}

type Waiting = NonNullable<ConversationFilters['waiting']>;

function waitingLabel(waiting: Waiting): string {
  return waiting === 'agent' ? t('filter.waiting_agent') : t('filter.waiting_customer');
}

interface Props {
  me: Me;
  filters: ConversationFilters;
  onApply(filters: ConversationFilters, team: string): void;
  onClose(): void;
}

interface PickProps {
  legend: string;
  options: readonly { value: string; label: string }[];
  chosen: readonly string[];
  onChange(values: string[]): void;
  empty?: string;
}

/** Checkboxes for one several-valued filter; none ticked means "any". */
function CheckboxGroup({ legend, options, chosen, onChange, empty }: PickProps) {
  const full = chosen.length >= MAX_FILTER_VALUES;
  return (
    <fieldset class="pick-group">
      <legend class="field__label">{legend}</legend>
      {options.length === 0 && empty && <p class="muted">{empty}</p>}
      <div class="pick-group__options">
        {options.map(({ value, label }) => {
          const ticked = chosen.includes(value);
          return (
            <label key={value} class="check">
              <input
                type="checkbox"
                checked={ticked}
                disabled={full && !ticked}
                onChange={(e) =>
                  onChange(e.currentTarget.checked ? [...chosen, value] : chosen.filter((one) => one !== value))
                }
              />
              <span>{label}</span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

/** Tags to filter by: typed (the catalogue is offered) and listed as removable chips. */
function TagPick({ chosen, catalogue, onChange }: { chosen: string[]; catalogue: string[]; onChange(tags: string[]): void }) {
  const [draft, setDraft] = useState('');
  const term = normaliseTag(draft);
  const full = chosen.length >= MAX_FILTER_VALUES;
  const add = (): void => {
    if (term && !chosen.includes(term) && !full) onChange([...chosen, term]);
    setDraft('');
  };
  return (
    <fieldset class="pick-group">
      <legend class="field__label">{t('filter.tag')}</legend>
      {chosen.length > 0 && (
        <ul class="chips" aria-label={t('filter.chosen_tags')}>
          {chosen.map((tag) => (
            <li key={tag} class="chip">
              <span data-testid="filter-tag" {...USER_CONTENT}>
                {tag}
              </span>
              <button
                type="button"
                class="chip__remove"
                aria-label={t('tags.remove', { tag })} {...userValues(tag)}
                onClick={() => onChange(chosen.filter((one) => one !== tag))}
              >
                <Icon name="close" size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="inline-form">
        <input
          type="text"
          aria-label={t('filter.tag')}
          list="filter-tags"
          maxLength={50}
          autocomplete="off"
          placeholder={t('tags.placeholder_create')}
          disabled={full}
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' || e.isComposing) return;
            e.preventDefault(); // Enter adds the tag; it does not submit the dialog
            add();
          }}
        />
        <button type="button" class="button" disabled={!term || full} onClick={add}>
          {t('tags.add')}
        </button>
      </div>
      <datalist id="filter-tags">
        {catalogue
          .filter((tag) => !chosen.includes(tag))
          .map((tag) => (
            <option key={tag} value={tag} />
          ))}
      </datalist>
    </fieldset>
  );
}


/**
 * The seed's "Filter conversations" dialog: channels, agents, tags, team, states, customer,
 * conversation id and time span. Every filter is exact (the list API's filter parameters); a
 * filter with several values lists the conversations matching any of them.
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

  const set = (key: 'customer' | 'conversation_id', value: string): void =>
    setDraft((current) => ({ ...current, [key]: value.trim() ? value.trim() : undefined }));
  const setList = (key: ListKey, values: string[]): void =>
    setDraft((current) => ({ ...current, [key]: values.length ? values : undefined }));

  const apply = (event: Event): void => {
    event.preventDefault();
    onApply({ ...draft, since: localToIso(since), until: localToIso(until) }, team);
  };

  return (
    <Dialog title={t('inbox.filter_hint')} testId="filter-dialog" onClose={onClose}>
      <form class="filter-form" onSubmit={apply}>
        <div class="pick-row">
          <CheckboxGroup
            legend={t('filter.channel')}
            options={CHANNELS.map((channel) => ({ value: channel, label: channelInfo(channel).label }))}
            chosen={draft.channel ?? []}
            onChange={(values) => setList('channel', values)}
          />
          <CheckboxGroup
            legend={t('filter.state')}
            options={STATES.map((state) => ({ value: state, label: stateLabel(state) }))}
            chosen={draft.state ?? []}
            onChange={(values) => setList('state', values)}
          />
          <CheckboxGroup
            legend={t('filter.agent')}
            options={agents.map((user) => ({ value: user.id, label: user.display_name }))}
            chosen={draft.agent ?? []}
            onChange={(values) => setList('agent', values)}
            empty={t('filter.no_agents')}
          />
          <TagPick chosen={draft.tag ?? []} catalogue={tags} onChange={(values) => setList('tag', values)} />
        </div>
        <div class="form-row">
          <label class="field">
            <span class="field__label">{t('channels.team')}</span>
            <select aria-label={t('channels.team')} class="select" value={team} onChange={(e) => {
                setTeamChoice(e.currentTarget.value);
                setList('agent', []); // agents are the chosen team's members
              }}>
              {me.teams.map(({ id, name }) => (
                <option key={id} value={id} {...USER_CONTENT}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field__label">{t('filter.waiting')}</span>
            <select
              class="select"
              data-testid="filter-waiting"
              value={draft.waiting ?? ''}
              onChange={(e) => {
                const value = e.currentTarget.value;
                setDraft((current) => ({ ...current, waiting: value ? (value as Waiting) : undefined }));
              }}
            >
              <option value="">{t('filter.waiting_any')}</option>
              <option value="agent">{waitingLabel('agent')}</option>
              <option value="customer">{waitingLabel('customer')}</option>
            </select>
          </label>
          <label class="field">
            <span class="field__label">{t('filter.customer')}</span>
            <input
              type="text"
              maxLength={320}
              placeholder={t('filter.customer_hint')}
              value={draft.customer ?? ''}
              onInput={(e) => set('customer', e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span class="field__label">{t('filter.conversation_id')}</span>
            <input
              type="text"
              maxLength={64}
              value={draft.conversation_id ?? ''}
              onInput={(e) => set('conversation_id', e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span class="field__label">{t('filter.from')}</span>
            <input type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span class="field__label">{t('filter.until')}</span>
            <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
          </label>
        </div>
        <p class="muted">
          {t('filter.explain', { zone: displayZone() })}
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
            {t('filter.clear')}
          </button>
          <button type="button" class="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="button button--primary">
            {t('inbox.filter')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
