// The tab's push connection as app state: whether it is up, and the notices it delivers. One
// PushClient per signed-in team (Shell), shared with every hook below it through a context.

import { createContext } from 'preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { type PushMessage, PushClient } from '../lib/push';
import { getToken } from '../session';

export type PushListener = (message: PushMessage) => void;

export interface Push {
  /** True while the socket is open: no polling then, only reads on notices. */
  connected: boolean;
  /** The signed-in user (whose Assigned to me a notice may touch). */
  userId: string;
  subscribe(listener: PushListener): () => void;
}

const idle: Push = { connected: false, userId: '', subscribe: () => () => undefined };
export const PushContext = createContext<Push>(idle);

/** How often the open list, conversation and counts are read while the socket is down. */
export const SAFETY_POLL_MS = 60_000;

export function usePushConnection(team: string, userId: string): Push {
  const [connected, setConnected] = useState(false);
  const listeners = useRef(new Set<PushListener>());

  useEffect(() => {
    const client = new PushClient({
      endpoint: () => api.pushEndpoint(),
      token: getToken,
      team,
      onMessage: (message) => {
        for (const listener of listeners.current) listener(message);
      },
      onState: setConnected,
    });
    client.start();
    return () => client.stop();
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
    }),
    [connected, userId],
  );
}

export function usePush(): Push {
  return useContext(PushContext);
}

/** Calls `listener` with every push message while mounted (the latest listener, without resubscribing). */
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
