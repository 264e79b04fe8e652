// Statistics (administrators and watchers): conversations over time, tags, channels, activity
// per agent and the current occupancy, for a time span of at most 92 days in the profile's zone.

import { useState } from 'preact/hooks';
import { channelInfo, stateLabel } from '../lib/format';
import { dayInZone, dayLabel, displayZone, formatNumber, localToIso } from '../lib/locale';
import { api } from '../api';
import type { Compared, ResponseTimes } from '../api-types';
import { reportError, useAlerts } from '../lib/alerts';
import { saveFile } from '../lib/download';
import { t, tParts } from '../lib/i18n';
import type { Me, Statistics } from '../types';
import { BarList, ColumnChart, type Point, pointsOf } from './charts';
import { admin } from './settings/admin';
import { Loading, useLoad } from './settings/common';
import { USER_CONTENT } from '../lib/userContent';
import { Worded } from '../components/Worded';

export interface StatisticsPageProps {
  me: Me;
}

const PRESETS = [7, 30, 90] as const;

/** A `YYYY-MM-DD` day moved by whole days (calendar arithmetic, no zone involved). */
function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The day `days - 1` days before today, today being the day it is in the profile's zone. */
function daysBefore(days: number): string {
  return addDays(dayInZone(), -(days - 1));
}

/** The span as the API wants it: from the start of the first day to the end of the last, with offsets. */
function spanOf(from: string, to: string): { since: string; until: string } | null {
  const since = localToIso(`${from}T00:00`);
  const until = localToIso(`${addDays(to, 1)}T00:00`);
  return since && until && since < until ? { since, until } : null;
}

export function StatisticsPage({ me }: StatisticsPageProps) {
  const [from, setFrom] = useState(daysBefore(30));
  const [to, setTo] = useState(dayInZone());
  const [applied, setApplied] = useState(() => spanOf(daysBefore(30), dayInZone()));
  const stats = useLoad(
    () => (applied ? admin.statistics(applied.since, applied.until) : Promise.reject(new Error(t('stats.choose_span')))),
    [applied?.since, applied?.until],
  );
  const users = useLoad(() => admin.users().catch(() => []));
  const names = new Map((users.data ?? []).map((user) => [user.id, user.display_name]));

  const preset = (days: number): void => {
    const start = daysBefore(days);
    const end = dayInZone();
    setFrom(start);
    setTo(end);
    setApplied(spanOf(start, end));
  };

  return (
    <main class="settings statistics">
      <section class="settings__body card statistics__body" aria-labelledby="statistics-title">
        <h1 id="statistics-title" class="settings__title">
          {t('stats.title')} <span class="muted">
            · <Worded parts={tParts('stats.of_team', { team: me.teams.find((team) => team.id === me.team_id)?.name ?? me.team_id })} />
          </span>
        </h1>
        <div class="dialog__actions dialog__actions--start" role="group" aria-label={t('stats.span')}>
          {PRESETS.map((days) => (
            <button key={days} type="button" class="button" onClick={() => preset(days)}>
              {t('stats.last_days', { days })}
            </button>
          ))}
        </div>
        <form
          class="form-row"
          onSubmit={(event) => {
            event.preventDefault();
            setApplied(spanOf(from, to));
          }}
        >
          <label class="field">
            <span class="field__label">{t('stats.from')}</span>
            <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span class="field__label">{t('stats.to')}</span>
            <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          </label>
          <div>
            <button type="submit" class="button button--primary">
              {t('stats.apply')}
            </button>
          </div>
        </form>
        <p class="muted">{t('stats.zone_hint', { zone: displayZone() })}</p>
        {applied && <ExportButton since={applied.since} until={applied.until} />}
        <Loading loaded={stats}>{(data) => <Report stats={data} names={names} />}</Loading>
      </section>
    </main>
  );
}

/** Every day of the span (the API lists only days with conversations), in the span's own zone. */
function everyDay(stats: Statistics): Point[] {
  const counts = new Map(stats.per_day.map((day) => [day.day, day.created]));
  const first = stats.since.slice(0, 10);
  const last = stats.until.slice(0, 10);
  const days: Point[] = [];
  const cursor = new Date(`${first}T12:00:00Z`);
  while (days.length < 93) {
    const day = cursor.toISOString().slice(0, 10);
    if (day >= last && days.length) break;
    days.push({ label: day, value: counts.get(day) ?? 0, tick: dayLabel(day) });
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return days;
}

function Report({ stats, names }: { stats: Statistics; names: Map<string, string> }) {
  const agents = Object.entries(stats.by_agent).sort((a, b) => (b[1].replies ?? 0) - (a[1].replies ?? 0));
  return (
    <div class="statistics__grid" data-testid="statistics">
      <section class="statistics__tiles" aria-label={t('stats.totals')}>
        <Tile label={t('stats.created')} value={stats.created} testId="stat-created" />
        <Tile label={t('stats.reopened')} value={stats.reopened} />
        {Object.entries(stats.current).map(([state, count]) => (
          <Tile key={state} label={t('stats.state_now', { state: stateLabel(state) })} value={count} />
        ))}
      </section>
      <section>
        <h2 class="settings__subtitle">{t('stats.over_time')}</h2>
        <ColumnChart title={t('stats.per_day')} points={everyDay(stats)} />
      </section>
      <section>
        <h2 class="settings__subtitle">{t('stats.tags')}</h2>
        <BarList label={t('stats.per_tag')} points={pointsOf(stats.by_tag)} dataLabels testId="chart-tags" />
      </section>
      <section>
        <h2 class="settings__subtitle">{t('stats.channels')}</h2>
        <BarList label={t('stats.per_channel')} share points={pointsOf(stats.by_channel, (key) => channelInfo(key).label)} testId="chart-channels" />
      </section>
      <section>
        <h2 class="settings__subtitle">{t('stats.states')}</h2>
        <BarList label={t('stats.per_state')} points={pointsOf(stats.by_state, stateLabel)} />
      </section>
      {stats.response_times && <ResponseTimesReport times={stats.response_times} names={names} />}
      <section>
        <h2 class="settings__subtitle">{t('stats.activity')}</h2>
        {agents.length === 0 ? (
          <p class="muted">{t('stats.no_activity')}</p>
        ) : (
          <table class="table" data-testid="agent-activity">
            <thead>
              <tr>
                <th scope="col">{t('stats.agent')}</th>
                <th scope="col">{t('stats.assigned')}</th>
                <th scope="col">{t('stats.replies')}</th>
                <th scope="col">{t('stats.archived')}</th>
              </tr>
            </thead>
            <tbody>
              {agents.map(([id, activity]) => (
                <tr key={id}>
                  <td {...USER_CONTENT}>{names.get(id) ?? id}</td>
                  <td>{formatNumber(activity.assigned ?? 0)}</td>
                  <td>{formatNumber(activity.replies ?? 0)}</td>
                  <td>{formatNumber(activity.archived ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

/** Exports the span's response times as CSV (watchers "view and export"). */
function ExportButton({ since, until }: { since: string; until: string }) {
  const alerts = useAlerts();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      class="button"
      data-testid="statistics-export"
      disabled={busy}
      aria-busy={busy}
      onClick={() => {
        setBusy(true);
        api.exportStatistics(since, until).then(
          (file) => {
            saveFile(file);
            setBusy(false);
          },
          (error: unknown) => {
            reportError(alerts, error);
            setBusy(false);
          },
        );
      }}
    >
      {busy ? t('export.preparing') : t('stats.export')}
    </button>
  );
}

const METRIC_KEYS = {
  first_response: 'stats.first_response',
  time_to_archive: 'stats.time_to_archive',
  duration: 'stats.duration',
} as const;

/** "4 min 10 s", "2 h 5 min", "–" for none. */
function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const whole = Math.round(value);
  if (whole < 60) return t('stats.seconds', { seconds: whole });
  if (whole < 3600) return t('stats.minutes', { minutes: Math.floor(whole / 60), seconds: whole % 60 });
  if (whole < 86400) return t('stats.hours', { hours: Math.floor(whole / 3600), minutes: Math.floor((whole % 3600) / 60) });
  return t('stats.days', { days: Math.floor(whole / 86400), hours: Math.floor((whole % 86400) / 3600) });
}

/** The change against the period before: faster (shorter) is better. */
function change(current: number | null | undefined, previous: number | null | undefined): string {
  if (current === null || current === undefined || previous === null || previous === undefined || previous === 0) {
    return '';
  }
  const percent = Math.round(((current - previous) / previous) * 100);
  return percent === 0 ? t('stats.same') : t(percent < 0 ? 'stats.faster' : 'stats.slower', { percent: Math.abs(percent) });
}

function FiguresRow({ name, compared, testId, named = false }: { name: string; compared: Compared; testId?: string; named?: boolean }) {
  const { current, previous } = compared;
  return (
    <tr data-testid={testId}>
      <th scope="row" {...(named ? USER_CONTENT : {})}>
        {name}
      </th>
      <td>{formatNumber(current.count ?? 0)}</td>
      <td data-testid="median">{seconds(current.median_seconds)}</td>
      <td>{seconds(current.p90_seconds)}</td>
      <td class="muted">
        {seconds(previous.median_seconds)} / {seconds(previous.p90_seconds)}
      </td>
      <td>{change(current.median_seconds, previous.median_seconds)}</td>
    </tr>
  );
}

/**
 * First response time, time to archive and conversation duration: median and 90th percentile per
 * agent and per channel, against the period of the same length just before.
 */
function ResponseTimesReport({ times, names }: { times: ResponseTimes; names: Map<string, string> }) {
  return (
    <section class="response-times" data-testid="response-times">
      <h2 class="settings__subtitle">{t('stats.response_times')}</h2>
      <p class="muted">{t('stats.response_times_hint')}</p>
      {(Object.keys(METRIC_KEYS) as (keyof typeof METRIC_KEYS)[]).map((metric) => {
        const figures = times[metric];
        return (
          <table key={metric} class="table" data-testid={`response-${metric}`}>
            <caption>{t(METRIC_KEYS[metric])}</caption>
            <thead>
              <tr>
                <th scope="col" />
                <th scope="col">{t('stats.count')}</th>
                <th scope="col">{t('stats.median')}</th>
                <th scope="col">{t('stats.p90')}</th>
                <th scope="col">{t('stats.previous')}</th>
                <th scope="col">{t('stats.change')}</th>
              </tr>
            </thead>
            <tbody>
              <FiguresRow name={t('stats.everyone')} compared={figures.overall} testId="response-overall" />
              {Object.entries(figures.by_agent).map(([agent, compared]) => (
                <FiguresRow key={`a:${agent}`} name={names.get(agent) ?? agent} named compared={compared} testId="response-agent" />
              ))}
              {Object.entries(figures.by_channel).map(([channel, compared]) => (
                <FiguresRow key={`c:${channel}`} name={channelInfo(channel).label} compared={compared} testId="response-channel" />
              ))}
            </tbody>
          </table>
        );
      })}
    </section>
  );
}

function Tile({ label, value, testId }: { label: string; value: number; testId?: string }) {
  return (
    <div class="tile">
      <span class="tile__value" data-testid={testId}>
        {formatNumber(value)}
      </span>
      <span class="muted">{label}</span>
    </div>
  );
}
