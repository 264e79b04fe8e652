// While the push socket is down (its own heartbeat keeps the agent online otherwise), tells the API
// the user is signed in (POST /me/heartbeat) now and every 30 s while the app is open: colleagues can assign conversations only to someone online, and the API counts a user
// as online for two minutes after a heartbeat. A hidden tab still beats (the agent is still at
// work in another window); a failed beat is simply tried again at the next one.

import { useEffect } from 'preact/hooks';
import { api } from '../api';

export const HEARTBEAT_MS = 30_000;

export function useHeartbeat(enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return undefined;
    const beat = (): void => {
      api.heartbeat().catch(() => undefined);
    };
    beat();
    const timer = setInterval(beat, HEARTBEAT_MS);
    return () => clearInterval(timer);
  }, [enabled]);
}
