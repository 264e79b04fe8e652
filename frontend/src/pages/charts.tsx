// Small charts as inline SVG (no chart library): bars over time and horizontal bars with
// their values. Every label is text; each chart has a text summary for screen readers.

import { formatNumber } from '../lib/locale';
import { t } from '../lib/i18n';
import { USER_CONTENT } from '../lib/userContent';

const WIDTH = 640;
const HEIGHT = 180;
const PAD_LEFT = 32;
const PAD_BOTTOM = 22;

export interface Point {
  label: string;
  value: number;
  /** How the label is written under a column (the label itself when absent). */
  tick?: string;
}

/** Vertical bars, one per point (e.g. conversations per day). */
export function ColumnChart({ points, title }: { points: Point[]; title: string }) {
  const max = Math.max(1, ...points.map((point) => point.value));
  const plotWidth = WIDTH - PAD_LEFT - 4;
  const plotHeight = HEIGHT - PAD_BOTTOM - 8;
  const step = points.length ? plotWidth / points.length : plotWidth;
  const labelEvery = Math.max(1, Math.ceil(points.length / 10));
  const total = points.reduce((sum, point) => sum + point.value, 0);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={t('stats.chart_summary', { title, total, days: points.length, max })}
      data-testid="chart-volume"
    >
      <line class="chart__axis" x1={PAD_LEFT} y1={8 + plotHeight} x2={WIDTH - 4} y2={8 + plotHeight} />
      <text class="chart__label" x={PAD_LEFT - 4} y={12} text-anchor="end">
        {formatNumber(max)}
      </text>
      <text class="chart__label" x={PAD_LEFT - 4} y={8 + plotHeight} text-anchor="end">
        0
      </text>
      {points.map((point, index) => {
        const height = (point.value / max) * plotHeight;
        const x = PAD_LEFT + index * step + step * 0.15;
        return (
          <g key={point.label}>
            <rect class="chart__bar" x={x} y={8 + plotHeight - height} width={Math.max(1, step * 0.7)} height={height}>
              <title>
                {point.tick ?? point.label}: {formatNumber(point.value)}
              </title>
            </rect>
            {index % labelEvery === 0 && (
              <text class="chart__label" x={x + step * 0.35} y={HEIGHT - 6} text-anchor="middle">
                {point.tick ?? point.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** Horizontal bars with their values (and shares of the total when asked). */
export function BarList({
  points,
  label,
  share = false,
  dataLabels = false,
  testId,
}: {
  points: Point[];
  label: string;
  share?: boolean;
  /** The labels are data (tags), not the interface's words. */
  dataLabels?: boolean;
  testId?: string;
}) {
  const max = Math.max(1, ...points.map((point) => point.value));
  const total = points.reduce((sum, point) => sum + point.value, 0);
  if (points.length === 0) return <p class="muted">{t('stats.nothing')}</p>;
  return (
    <ul class="bars" aria-label={label} data-testid={testId}>
      {points.map((point) => (
        <li key={point.label} class="bars__row">
          <span class="bars__label" {...(dataLabels ? USER_CONTENT : {})}>
            {point.label}
          </span>
          <svg class="bars__track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
            <rect class="chart__bar" x="0" y="0" width={(point.value / max) * 100} height="10" />
          </svg>
          <span class="bars__value">
            {formatNumber(point.value)}
            {share && total > 0 ? ` (${formatNumber(point.value / total, { style: 'percent' })})` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A record's entries as points, largest first. */
export function pointsOf(record: Record<string, number>, label: (key: string) => string = (key) => key): Point[] {
  return Object.entries(record)
    .map(([key, value]) => ({ label: label(key), value }))
    .sort((a, b) => b.value - a.value);
}
