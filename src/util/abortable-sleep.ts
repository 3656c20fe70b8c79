import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms` milliseconds; rejects with the signal's reason as soon as it aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const abortableSleep: Sleep = async (ms, signal) => {
  try {
    await delay(Math.max(ms, 0), undefined, signal ? { signal } : {});
  } catch (error) {
    // timers/promises rejects with a generic AbortError; callers expect the reason they gave.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
};
