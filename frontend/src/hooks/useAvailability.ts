// The agent's availability: Available, Away or Offline, chosen in the header (or Alt+S), kept in
// this browser (localStorage, so every tab shows and sends the same), and sent with the heartbeat.
// The heartbeat rides the push socket (one socket message a minute, and one at once when the
// availability changes; no API call); only while the socket is down does the tab call
// POST /me/heartbeat every 30 s. The API counts a user as online for two minutes after a heartbeat,
// and a closed socket makes them Offline after a short grace. Only Available agents are given
// work. An Available agent idle for the service's minutes (no key or pointer in any tab) is sent
// as Away until they are active again.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { oneOf, pref, usePref } from '../lib/prefs';
import { useShortcut } from '../lib/shortcuts';
import { usePush } from './usePush';
import type { Availability } from '../types';

export const HEARTBEAT_MS = 30_000;
const ACTIVITY_KEY = 'inbox.last-activity';
const ACTIVITY_WRITE_MS = 5_000;
export const AVAILABILITIES: readonly Availability[] = ['available', 'away', 'offline'];
export const availabilityPref = pref<Availability>('availability', 'available', oneOf(AVAILABILITIES));

function lastActivity(): number {
  try {
    return Number(window.localStorage.getItem(ACTIVITY_KEY) ?? '0') || Date.now();
  } catch {
    return Date.now();
  }
}

function markActivity(): void {
  try {
    if (Date.now() - lastActivity() > ACTIVITY_WRITE_MS) window.localStorage.setItem(ACTIVITY_KEY, String(Date.now()));
  } catch {
    // storage disabled: idleness is not tracked
  }
}

/** What the agent chose, what is sent now (Away when idle), and the way to choose. */
export function useAvailability(awayAfterMinutes: number): {
  chosen: Availability;
  effective: Availability;
  choose(next: Availability): void;
} {
  const [chosen, setChosen] = usePref(availabilityPref);
  const [idle, setIdle] = useState(false);

  useEffect(() => {
    markActivity();
    const onActivity = (): void => {
      markActivity();
      setIdle(false);
    };
    const events = ['keydown', 'pointerdown', 'pointermove', 'focus'] as const;
    events.forEach((name) => window.addEventListener(name, onActivity, { passive: true }));
    const check = setInterval(() => {
      setIdle(awayAfterMinutes > 0 && Date.now() - lastActivity() > awayAfterMinutes * 60_000);
    }, 15_000);
    return () => {
      events.forEach((name) => window.removeEventListener(name, onActivity));
      clearInterval(check);
    };
  }, [awayAfterMinutes]);

  const effective: Availability = chosen === 'available' && idle ? 'away' : chosen;

  const { connected, setAvailability } = usePush();
  useEffect(() => setAvailability(effective), [effective, setAvailability]);
  useEffect(() => {
    if (connected) return undefined; // the socket's heartbeat carries it
    const beat = (): void => {
      api.heartbeat(effective).catch(() => undefined);
    };
    beat();
    const timer = setInterval(beat, HEARTBEAT_MS);
    return () => clearInterval(timer);
  }, [effective, connected]);

  const choose = useCallback((next: Availability) => setChosen(next), [setChosen]);
  useShortcut('availability', () =>
    choose(AVAILABILITIES[(AVAILABILITIES.indexOf(chosen) + 1) % AVAILABILITIES.length] ?? 'available'),
  );
  return { chosen, effective, choose };
}
