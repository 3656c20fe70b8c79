import type { AttemptResult, RateLimitHeaders } from './limiter.js';

// The 429 policy, in one place: what each answer says about pacing (a 429 with the window spent,
// a concurrency 429, a reset header) and how long a 429 pauses. Every limiter applies it: the
// in-process arithmetic (src/limiter/pacing-math.ts), the Redis script (which is handed the
// verdict, never a status, and repeats only the pause formulas below) and the pass-through limiter.

/** What one attempt's answer says about pacing. */
export type RateLimitVerdict =
  /** Any answer but a 429 or a 5xx: the pace was acceptable. */
  | 'accepted'
  /** 429 with nothing left in the window: wait for the window to reset. */
  | 'window-spent'
  /** 429 while the window has room (concurrency or monthly cap), or a bare 429: back off. */
  | 'concurrency'
  /** 5xx: says nothing about the pace (the sender retries it with its own backoff). */
  | 'server-error'
  /** No answer (network error, timeout): nothing learned. */
  | 'no-response';

export const rateLimitVerdicts = [
  'accepted',
  'window-spent',
  'concurrency',
  'server-error',
  'no-response',
] as const satisfies readonly RateLimitVerdict[];

/** First concurrency back-off, milliseconds; doubles per consecutive concurrency 429. */
export const backoffBaseMs = 500;
/** Longest concurrency back-off, milliseconds. */
export const backoffMaxMs = 30_000;

export function classifyAttempt(result: AttemptResult): RateLimitVerdict {
  if (result.kind === 'no-response') return 'no-response';
  const { status, headers } = result;
  if (status === 429) {
    // A reset without a count comes only with a spent window; remaining > 0 means another cap.
    const spent =
      headers.userRemaining === 0 || (headers.userRemaining === undefined && headers.userReset !== undefined);
    return spent ? 'window-spent' : 'concurrency';
  }
  return status >= 500 ? 'server-error' : 'accepted';
}

/**
 * Milliseconds until the current window ends, from `x-ratelimit-limit-user-reset`. Affinity sends
 * whole seconds (its rounding is undocumented; the simulator rounds up), so the end is read as no
 * later than this and the tightest reset of a window marks its end.
 */
export function resetMs(headers: RateLimitHeaders): number | undefined {
  return headers.userReset === undefined ? undefined : headers.userReset * 1000;
}

/** Longest window a reset may teach, milliseconds (a day: the longest window the options accept). */
export const maxLearnedWindowMs = 86_400_000;

/**
 * The window length learned from resets. A reset counts the seconds left in the current window,
 * so the window is at least as long as the largest reset seen; and the first request answered in
 * a window sees (nearly) all of it, so after one window boundary the largest reset is the window
 * (a reset rounded up to whole seconds never exceeds a whole-second window). Before that boundary
 * the estimate may be short, which only spends the current window's `remaining` sooner — the
 * budget still stops at it — while a long estimate (a fixed 60 s against a 5 s window) starves the
 * run. So: the largest reset seen, never shrinking; a reset of 0 says nothing.
 */
export function learnWindowMs(knownMs: number | undefined, headers: RateLimitHeaders): number | undefined {
  const untilReset = resetMs(headers);
  if (untilReset === undefined || untilReset <= 0) return knownMs;
  return Math.min(Math.max(knownMs ?? 0, untilReset), maxLearnedWindowMs);
}

/** Delay after the n-th consecutive concurrency 429, jittered into [½, 1] of the exponential step. */
export function concurrencyBackoffMs(level: number, random: number): number {
  const step = Math.min(backoffBaseMs * 2 ** Math.min(Math.max(level - 1, 0), 16), backoffMaxMs);
  return step * (0.5 + random / 2);
}

/** Jitter added to a window-spent pause so processes do not all wake at the same instant. */
export function pauseJitterMs(windowMs: number, random: number): number {
  return random * Math.min(1000, windowMs / 10);
}

/** The part of a limiter's state the 429 policy moves. */
export interface PauseState {
  /** Nobody sends before this (ms). */
  pausedUntil: number;
  /** Consecutive concurrency 429s (exponent of the back-off). */
  backoffLevel: number;
}

/** After a window-spent 429: pause until the window ends (`waitMs` from now) plus jitter. */
export function pauseForWindow(
  pause: PauseState,
  now: number,
  waitMs: number,
  windowMs: number,
  random: number,
): void {
  pause.pausedUntil = Math.max(pause.pausedUntil, now + waitMs + pauseJitterMs(windowMs, random));
}

/**
 * After a concurrency 429: back off one level further, unless the 429 answers a request of the
 * burst that started the current pause (then it does not escalate). True when it escalated.
 */
export function pauseForConcurrency(pause: PauseState, now: number, random: number): boolean {
  if (now < pause.pausedUntil) return false;
  pause.backoffLevel += 1;
  pause.pausedUntil = now + concurrencyBackoffMs(pause.backoffLevel, random);
  return true;
}
