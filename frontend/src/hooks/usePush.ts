// The tab's push connection as app state: whether it is up, and the notices it delivers. One
// PushClient per signed-in team (Shell), shared with every hook below it through a context.

import { createContext } from 'preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { NO_LIST, type PushMessage, PushClient, ReadGate, type TabWatch } from '../lib/push';
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
  /** What the tab shows (the server sends it only the notices that can concern it); a change is
   * sent once the render that made it is done, and the heartbeat repeats it. */
  setWatch(watch: TabWatch): void;
}

const idle: Push = {
  connected: false,
  userId: '',
  subscribe: () => () => undefined,
  requestRead: (read) => read(),
  setAvailability: () => undefined,
  setWatch: () => undefined,
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
  const watch = useRef<TabWatch>(NO_LIST);
  // What the server was last told, and the pending send: a page that leaves and one that arrives
  // in the same render (NO_LIST, then a view) make one message, or none when nothing changed.
  const toldWatch = useRef('');
  const watchSend = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const current = new PushClient({
      endpoint: () => api.pushEndpoint(),
      token: getToken,
      team,
      onMessage: (message) => {
        for (const listener of listeners.current) listener(message);
      },
      onState: setConnected,
      heartbeat: () => {
        toldWatch.current = JSON.stringify(watch.current);
        return { action: 'heartbeat', availability: availability.current, ...watch.current };
      },
    });
    client.current = current;
    current.start();
    return () => {
      current.stop();
      gate.current.stop();
      clearTimeout(watchSend.current);
      watchSend.current = undefined;
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
      setWatch(next: TabWatch) {
        watch.current = next;
        if (watchSend.current !== undefined) return;
        watchSend.current = setTimeout(() => {
          watchSend.current = undefined;
          const told = JSON.stringify(watch.current);
          if (told === toldWatch.current) return;
          if (client.current?.send({ action: 'view', ...watch.current })) toldWatch.current = told;
        }, 0);
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
