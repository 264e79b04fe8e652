// Runs an async task now and then again `intervalMs` after each run ends, for as long as the
// component is mounted and `deps` do not change. Runs never overlap; the signal passed to the
// task aborts when the component unmounts or deps change. While the page is hidden the ticks
// are skipped, and it runs at once when the page is shown again.

import { useCallback, useEffect, useRef } from 'preact/hooks';

export type PollTask = (signal: AbortSignal) => Promise<void>;

export function usePolling(task: PollTask, intervalMs: number, deps: readonly unknown[]): () => void {
  const taskRef = useRef(task);
  taskRef.current = task;
  const runNowRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    let again = false;

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
        timer = setTimeout(tick, intervalMs);
      }
    };

    const tick = (): void => {
      if (document.visibilityState === 'hidden') {
        timer = setTimeout(tick, intervalMs);
      } else {
        void run();
      }
    };

    const onVisibility = (): void => {
      if (document.visibilityState === 'visible') void run();
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
  }, [intervalMs, ...deps]);

  return useCallback(() => runNowRef.current(), []);
}
