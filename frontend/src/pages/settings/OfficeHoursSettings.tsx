import { useEffect, useState } from 'preact/hooks';
import { displayZone } from '../../lib/locale';
import type { OfficeHours, TeamSettings, TimeSpan, Weekday } from '../../types';
import { admin } from './admin';
import { Loading, ReadOnlyNote, type SectionProps, TimeZoneList, useAction, useLoad } from './common';
import { type MessageKey, t } from '../../lib/i18n';
import { USER_CONTENT } from '../../lib/userContent';
import { Icon } from '../../components/Icon';

export const WEEKDAYS: readonly [Weekday, MessageKey][] = [
  ['monday', 'day.monday'],
  ['tuesday', 'day.tuesday'],
  ['wednesday', 'day.wednesday'],
  ['thursday', 'day.thursday'],
  ['friday', 'day.friday'],
  ['saturday', 'day.saturday'],
  ['sunday', 'day.sunday'],
];

type Days = Record<Weekday, TimeSpan[]>;

function daysOf(hours: OfficeHours | null | undefined): Days {
  return Object.fromEntries(WEEKDAYS.map(([day]) => [day, [...(hours?.days?.[day] ?? [])]])) as Days;
}

/** Office hours per team: spans per weekday (a day without spans is closed), holidays, time zone. */
export function OfficeHoursSettings({ me, canEdit }: SectionProps) {
  const teams = useLoad(admin.teams);
  const [teamId, setTeamId] = useState(me.team_id);
  return (
    <>
      <ReadOnlyNote canEdit={canEdit} />
      <Loading loaded={teams}>
        {(list) => {
          const team = list.find((candidate) => candidate.id === teamId) ?? list[0];
          if (!team) return <p class="muted">{t('hours.no_teams')}</p>;
          return (
            <>
              {list.length > 1 && (
                <label class="field">
                  <span class="field__label">{t('channels.team')}</span>
                  <select aria-label={t('channels.team')} class="select" value={team.id} onChange={(e) => setTeamId(e.currentTarget.value)}>
                    {list.map((item) => (
                      <option key={item.id} value={item.id} {...USER_CONTENT}>
                        {item.name}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <HoursEditor
                key={team.id}
                team={team}
                canEdit={canEdit}
                onSaved={(saved) => teams.set(list.map((item) => (item.id === saved.id ? saved : item)))}
              />
            </>
          );
        }}
      </Loading>
    </>
  );
}

function HoursEditor({ team, canEdit, onSaved }: { team: TeamSettings; canEdit: boolean; onSaved(t: TeamSettings): void }) {
  const hours = team.office_hours ?? null;
  const [zone, setZone] = useState(hours?.time_zone ?? displayZone());
  const [days, setDays] = useState<Days>(() => daysOf(hours));
  const [holidays, setHolidays] = useState<string[]>(hours?.holidays ?? []);
  const [holiday, setHoliday] = useState('');
  const [busy, run] = useAction();

  useEffect(() => {
    setZone(hours?.time_zone ?? displayZone());
    setDays(daysOf(hours));
    setHolidays(hours?.holidays ?? []);
  }, [hours]);

  const setSpan = (day: Weekday, index: number, change: Partial<TimeSpan>): void =>
    setDays((current) => ({
      ...current,
      [day]: current[day].map((span, at) => (at === index ? { ...span, ...change } : span)),
    }));

  const save = (event: Event): void => {
    event.preventDefault();
    const body: OfficeHours = {
      time_zone: zone.trim(),
      days: Object.fromEntries(WEEKDAYS.map(([day]) => [day, days[day]]).filter(([, spans]) => (spans as TimeSpan[]).length)),
      holidays: [...holidays].sort(),
    };
    void run(async () => onSaved(await admin.setOfficeHours(team.id, body)), t('hours.saved'));
  };

  const alwaysOpen = (): void => {
    void run(async () => onSaved(await admin.removeOfficeHours(team.id)), t('hours.removed'));
  };

  return (
    <form class="settings__group" onSubmit={save} data-testid="office-hours">
      <p class="muted" data-testid="office-hours-state">
        {hours ? t('hours.apply', { name: team.name }) : t('hours.always_open', { name: team.name })}
      </p>
      <label class="field">
        <span class="field__label">{t('profile.time_zone')}</span>
        <input
          type="text"
          list="office-zones"
          required
          maxLength={64}
          disabled={!canEdit}
          value={zone}
          onInput={(e) => setZone(e.currentTarget.value)}
        />
        <TimeZoneList id="office-zones" />
      </label>
      <table class="hours">
        <tbody>
          {WEEKDAYS.map(([day, key]) => {
            const label = t(key);
            return (
            <tr key={day} data-testid={`day-${day}`}>
              <th scope="row">{label}</th>
              <td>
                {days[day].length === 0 && <span class="muted">{t('hours.closed')}</span>}
                {days[day].map((span, index) => (
                  <span class="span-edit" key={index}>
                    <input
                      type="time"
                      aria-label={t('hours.opens', { day: label })}
                      required
                      disabled={!canEdit}
                      value={span.open}
                      onInput={(e) => setSpan(day, index, { open: e.currentTarget.value })}
                    />
                    <span aria-hidden="true">–</span>
                    <input
                      type="time"
                      aria-label={t('hours.closes', { day: label })}
                      required
                      disabled={!canEdit}
                      value={span.close}
                      onInput={(e) => setSpan(day, index, { close: e.currentTarget.value })}
                    />
                    {canEdit && (
                      <button
                        type="button"
                        class="button button--quiet"
                        aria-label={t('hours.remove_span', { day: label, open: span.open, close: span.close })}
                        onClick={() => setDays((current) => ({ ...current, [day]: current[day].filter((_, at) => at !== index) }))}
                      >
                        <Icon name="close" size={14} />
                      </button>
                    )}
                  </span>
                ))}
              </td>
              <td>
                {canEdit && (
                  <button
                    type="button"
                    class="button button--quiet"
                    aria-label={t('hours.add_span_on', { day: label })}
                    onClick={() =>
                      setDays((current) => ({ ...current, [day]: [...current[day], { open: '09:00', close: '17:00' }] }))
                    }
                  >
                    + {t('hours.add_span')}
                  </button>
                )}
              </td>
            </tr>
            );
          })}
        </tbody>
      </table>
      <fieldset class="settings__group">
        <legend>{t('hours.holidays_legend')}</legend>
        <ul class="chips" aria-label={t('hours.holidays')}>
          {holidays.length === 0 && <li class="muted">{t('hours.none')}</li>}
          {[...holidays].sort().map((date) => (
            <li key={date} class="chip">
              <span>{date}</span>
              {canEdit && (
                <button type="button" class="chip__remove" aria-label={t('hours.remove_holiday', { date })} onClick={() => setHolidays(holidays.filter((d) => d !== date))}>
                  <Icon name="close" size={12} />
                </button>
              )}
            </li>
          ))}
        </ul>
        {canEdit && (
          <div class="inline-form">
            <input type="date" aria-label={t('hours.holiday')} value={holiday} onInput={(e) => setHoliday(e.currentTarget.value)} />
            <button
              type="button"
              class="button"
              disabled={!holiday || holidays.includes(holiday)}
              onClick={() => {
                setHolidays([...holidays, holiday]);
                setHoliday('');
              }}
            >
              {t('hours.add_holiday')}
            </button>
          </div>
        )}
      </fieldset>
      {canEdit && (
        <div class="dialog__actions dialog__actions--start">
          <button type="submit" class="button button--primary" disabled={busy}>
            {t('hours.save')}
          </button>
          {hours && (
            <button type="button" class="button" disabled={busy} onClick={alwaysOpen}>
              {t('hours.remove')}
            </button>
          )}
        </div>
      )}
    </form>
  );
}
