// The signed-in user's language and time zone (their profile, GET /me/profile): every time the
// app shows is in the profile's zone, and dates and numbers are written the way the profile's
// language writes them. Without a profile value the browser's own is used. The interface's words
// follow the same language through lib/i18n.ts.

import { useEffect, useState } from 'preact/hooks';

export interface DisplayProfile {
  language?: string | null | undefined;
  time_zone?: string | null | undefined;
}

const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

let locale: string | undefined;
let zone: string = browserZone();
const listeners = new Set<() => void>();

/** A locale tag Intl accepts, or undefined (the browser's) for anything else. */
function usableLocale(tag: string | null | undefined): string | undefined {
  if (!tag) return undefined;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([tag]).length ? tag : undefined;
  } catch {
    return undefined;
  }
}

function usableZone(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

/** Applies a profile's language and zone (after sign-in, and after the profile is saved). */
export function applyProfile(profile: DisplayProfile | null): void {
  const nextLocale = usableLocale(profile?.language);
  const nextZone = usableZone(profile?.time_zone) ?? browserZone();
  if (nextLocale === locale && nextZone === zone) return;
  locale = nextLocale;
  zone = nextZone;
  cache.clear();
  listeners.forEach((listener) => listener());
}

/** The zone times are shown in (IANA name). */
export function displayZone(): string {
  return zone;
}

/** The locale dates and numbers are written in (undefined: the browser's). */
export function displayLocale(): string | undefined {
  return locale;
}

/** Re-renders the caller when the language or zone changes. */
export function useDisplayProfile(): string {
  const [key, setKey] = useState(`${locale ?? ''}|${zone}`);
  useEffect(() => {
    const listener = (): void => setKey(`${locale ?? ''}|${zone}`);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return key;
}

const cache = new Map<string, Intl.DateTimeFormat>();

/** A date formatter in the display locale and zone (kept until either changes). */
export function dateFormat(name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let found = cache.get(name);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    cache.set(name, found);
  }
  return found;
}

/** A calendar day (`YYYY-MM-DD`) as the profile's language writes it short ("Mar 3", "3 mrt"). */
export function dayLabel(day: string): string {
  const date = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(date);
}

/** Items joined as the profile's language lists them ("NL, BE and DE", "NL, BE en DE"). */
export function listOf(items: readonly string[]): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}

export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale, options).format(value);
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The date and time on a clock in the display zone at this instant. */
function wallTime(date: Date): WallTime {
  const parts = dateFormat('wall', {
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
    // the parts are read as numbers: always in Latin digits, whatever the locale
    numberingSystem: 'latn',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour') % 24, minute: part('minute') };
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `YYYY-MM-DD` of this instant in the display zone. */
export function dayInZone(date: Date = new Date()): string {
  const wall = wallTime(date);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** Minutes the display zone is ahead of UTC at this instant. */
function offsetAt(instant: number): number {
  const wall = wallTime(new Date(instant));
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  return Math.round((asUtc - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

/** `2024-05-01T09:00` on a clock in the display zone -> ISO 8601 with that zone's offset (the API wants one). */
export function localToIso(local: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // the offset at the guessed instant, checked once more across a daylight-saving change
  let offset = offsetAt(asUtc);
  offset = offsetAt(asUtc - offset * 60_000);
  const sign = offset >= 0 ? '+' : '-';
  const size = Math.abs(offset);
  return `${local.slice(0, 16)}:00${sign}${pad(Math.floor(size / 60))}:${pad(size % 60)}`;
}

/** The reverse, for showing a time again in a `datetime-local` field. */
export function isoToLocal(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const wall = wallTime(date);
  return `${dayInZone(date)}T${pad(wall.hour)}:${pad(wall.minute)}`;
}
