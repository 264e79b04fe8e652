// The tab's push connection as app state: whether it is up, and the notices it delivers. One
// PushClient per signed-in team (Shell), shared with every hook below it through a context.

import { createContext } from 'preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { type PushMessage, PushClient, ReadGate } from '../lib/push';
import { getToken } from '../session';
import type { Availability } from '../types';

export type PushListener = (message: PushMessage) => void;

export interface Push {
  /** True while the socket is open: no polling then, only reads on notices. */
  connected: boolean;
  /** The signed-in user (whose Assigned to me a notice may touch). */
  userId: string;
  subscribe(listener: PushListener): () => void;
  /** Runs a read a notice asked for, with the tab's other such reads: at most one round a second. */
  requestRead(read: () => void): void;
  /** The availability the socket's heartbeat carries; a change is sent at once. */
  setAvailability(availability: Availability): void;
}

const idle: Push = {
  connected: false,
  userId: '',
  subscribe: () => () => undefined,
  requestRead: (read) => read(),
  setAvailability: () => undefined,
};
export const PushContext = createContext<Push>(idle);

/** How often the open list, conversation and counts are read while the socket is down. */
export const SAFETY_POLL_MS = 60_000;

export function usePushConnection(team: string, userId: string): Push {
  const [connected, setConnected] = useState(false);
  const listeners = useRef(new Set<PushListener>());
  const availability = useRef<Availability>('available');
  const client = useRef<PushClient | null>(null);
  const gate = useRef(new ReadGate());

  useEffect(() => {
    const current = new PushClient({
      endpoint: () => api.pushEndpoint(),
      token: getToken,
      team,
      onMessage: (message) => {
        for (const listener of listeners.current) listener(message);
      },
      onState: setConnected,
      heartbeat: () => ({ action: 'heartbeat', availability: availability.current }),
    });
    client.current = current;
    current.start();
    return () => {
      current.stop();
      gate.current.stop();
      client.current = null;
    };
  }, [team]);

  // The socket's state on the document, for people debugging (and the browser tests) to see.
  useEffect(() => {
    document.documentElement.dataset.push = connected ? 'up' : 'down';
  }, [connected]);

  return useMemo(
    () => ({
      connected,
      userId,
      subscribe(listener: PushListener) {
        listeners.current.add(listener);
        return () => listeners.current.delete(listener);
      },
      requestRead(read: () => void) {
        gate.current.request(read);
      },
      setAvailability(next: Availability) {
        if (availability.current === next) return;
        availability.current = next;
        client.current?.beat();
      },
    }),
    [connected, userId],
  );
}

export function usePush(): Push {
  return useContext(PushContext);
}

/** Calls `listener` with every push message while mounted (the latest listener, without resubscribing).
 * A read it wants goes through `usePush().requestRead`, never straight to the API. */
export function useNotices(listener: PushListener): void {
  const push = usePush();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => push.subscribe((message) => latest.current(message)), [push]);
}

/** The polling interval: none while pushed to, the safety poll while the socket is down. */
export function usePollInterval(): number | null {
  return usePush().connected ? null : SAFETY_POLL_MS;
}
