// Runs an async task now and then again `intervalMs` after each run ends, for as long as the
// component is mounted and `deps` do not change. Runs never overlap; the signal passed to the
// task aborts when the component unmounts or deps change. While the page is hidden it backs
// off: it runs every `hiddenIntervalMs` (or not at all when that is null), and at once when the
// page is shown again.

import { useCallback, useEffect, useRef } from 'preact/hooks';

export type PollTask = (signal: AbortSignal) => Promise<void>;

/** How often the open list and conversation are read while the page is visible. */
export const POLL_INTERVAL_MS = 1500;

export function usePolling(
  task: PollTask,
  intervalMs: number,
  deps: readonly unknown[],
  hiddenIntervalMs: number | null = null,
): () => void {
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
      timer = setTimeout(tick, hidden() ? (hiddenIntervalMs ?? intervalMs) : intervalMs);
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
      if (!hidden()) void run();
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
  }, [intervalMs, hiddenIntervalMs, ...deps]);

  return useCallback(() => runNowRef.current(), []);
}
