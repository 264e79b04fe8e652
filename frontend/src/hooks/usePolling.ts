// Runs an async task now and then every `intervalMs` (never again when it is null: the push socket
// is up, and notices call the returned function instead), for as long as the component is mounted
// and `deps` and the interval do not change (a change runs it at once: the catch-up read after the
// socket came back, the first safety read after it went down). Runs never overlap; the signal passed to the task aborts when the
// component unmounts or deps change. While the page is hidden it backs off: it runs every
// `hiddenIntervalMs` (or not at all when that is null), and at once when the page is shown again.
//
// Runs after the first keep to a shared beat (multiples of the interval on the page's clock,
// shifted by `phase` of an interval), whenever the component mounted. The background watcher
// runs half a beat after the open list and conversation, and makes them read again when it sees
// a change, so something new shows within about half an interval plus the time to read it.

import { useCallback, useEffect, useRef } from 'preact/hooks';

export type PollTask = (signal: AbortSignal) => Promise<void>;

export interface PollOptions {
  /** How often to run while the page is hidden; null (the default): not at all. */
  hiddenIntervalMs?: number | null;
  /** Where in the beat to run, as a fraction of the interval (0 to 1). */
  phase?: number;
}

/** Milliseconds until the next beat of this interval and phase (at least a tenth of the interval). */
export function untilBeat(intervalMs: number, phase: number, now: number = performance.now()): number {
  const offset = phase * intervalMs;
  const wait = intervalMs - ((((now - offset) % intervalMs) + intervalMs) % intervalMs);
  return wait < intervalMs / 10 ? wait + intervalMs : wait;
}

export function usePolling(
  task: PollTask,
  intervalMs: number | null,
  deps: readonly unknown[],
  options: PollOptions = {},
): () => void {
  const { hiddenIntervalMs = null, phase = 0 } = options;
  const taskRef = useRef(task);
  taskRef.current = task;
  const runNowRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    let again = false;

    const hidden = (): boolean => document.visibilityState === 'hidden';
    const schedule = (): void => {
      clearTimeout(timer);
      if (intervalMs === null) return;
      timer = setTimeout(tick, hidden() ? (hiddenIntervalMs ?? intervalMs) : untilBeat(intervalMs, phase));
    };

    const run = async (): Promise<void> => {
      if (controller.signal.aborted) return;
      clearTimeout(timer);
      if (running) {
        again = true; // one more run as soon as this one ends
        return;
      }
      running = true;
      try {
        await taskRef.current(controller.signal);
      } catch {
        // the task reports its own errors
      } finally {
        running = false;
      }
      if (controller.signal.aborted) return;
      if (again) {
        again = false;
        void run();
      } else {
        schedule();
      }
    };

    function tick(): void {
      if (hidden() && hiddenIntervalMs === null) schedule();
      else void run();
    }

    const onVisibility = (): void => {
      if (!hidden() && intervalMs !== null) void run();
    };

    runNowRef.current = () => void run();
    document.addEventListener('visibilitychange', onVisibility);
    void run();

    return () => {
      controller.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
      runNowRef.current = () => undefined;
    };
  }, [intervalMs, hiddenIntervalMs, phase, ...deps]);

  return useCallback(() => runNowRef.current(), []);
}
