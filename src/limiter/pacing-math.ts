import type { AttemptResult, RateLimitHeaders } from '../affinity/limiter.js';
import {
  classifyAttempt,
  learnWindowMs,
  pauseForConcurrency,
  pauseForWindow,
  type RateLimitVerdict,
  resetMs,
} from '../affinity/rate-limit-policy.js';

// The limiter's arithmetic, free of I/O and clocks: the in-process limiter calls it directly and
// redis-limiter-script.ts mirrors it step for step in Lua (test/limiter/core-scenarios.ts runs the
// same scenarios against both). What a 429 or a reset means is src/affinity/rate-limit-policy.ts's
// to say; this applies its verdicts. Times are milliseconds on whatever clock the caller passes.

/** Settings every decision needs; resolved from LimiterOptions by resolveLimiterOptions(). */
export interface PacingSettings {
  /** Requests per window assumed until a header says otherwise. */
  limit: number;
  /** Window length, milliseconds: assumed until a reset teaches it, or fixed when `windowFixed`. */
  windowMs: number;
  /** True when the window was configured (RATE_LIMIT_WINDOW_SECONDS): resets then teach nothing. */
  windowFixed: boolean;
  /** Fraction of the limit never used (0..0.5). */
  safetyMargin: number;
  /** Requests that may go back to back after an idle spell (≥ 1). */
  burst: number;
  /** Fraction of the monthly allowance never spent (0..1). */
  quotaReserve: number;
  /** Upper bound of the in-flight cap. */
  maxInFlight: number;
}

/** Everything the limiter remembers about one API key. */
export interface PacingState {
  /** Requests per window (the server's figure once one arrived). */
  limit: number;
  /** GCRA theoretical arrival time of the next request. */
  tat: number;
  /** Window length learned from resets (rate-limit-policy.ts learnWindowMs); undefined until one came. */
  learnedWindowMs: number | undefined;
  /** When the server's current window ends; undefined until a header said so. */
  windowEnd: number | undefined;
  /** False while windowEnd is our roll-forward estimate, true once a header of that window set it. */
  windowConfirmed: boolean;
  /** Requests still allowed in the current window; undefined until a header said so. */
  budget: number | undefined;
  /** Nobody sends before this (429 pause or concurrency back-off). */
  pausedUntil: number;
  /** Current in-flight cap (AIMD between 1 and maxInFlight). */
  cap: number;
  /** Successes counted toward the next cap increase. */
  successes: number;
  /** Consecutive concurrency 429s (exponent of the back-off). */
  backoffLevel: number;
  /** Monthly allowance; undefined when unknown or unlimited. */
  orgLimit: number | undefined;
  /** Monthly calls left; undefined means no monthly cap is known. */
  orgRemaining: number | undefined;
  /** When the monthly quota resets. */
  orgResetAt: number | undefined;
  /** Requests granted and not yet observed. */
  inFlight: number;
}

/** The answer to "may one request go now?". */
export type PacingDecision =
  | { kind: 'go' }
  | { kind: 'wait'; waitMs: number; reason: WaitReason }
  | { kind: 'quota'; remaining: number; reserved: number; resetsAt: number };

/** Why acquire() waits; the codes double as the Lua script's reply. */
export type WaitReason = 'pace' | 'window' | 'paused' | 'concurrency';
export const waitReasons: readonly WaitReason[] = ['pace', 'window', 'paused', 'concurrency'];

/** How often a caller blocked by the in-flight cap looks again, milliseconds. */
export const concurrencyPollMs = 20;
/** A header's reset this much later than ours means the server started a new period. */
export const newPeriodSlackMs = 60_000;

export function initialState(settings: PacingSettings): PacingState {
  return {
    limit: settings.limit,
    tat: 0,
    learnedWindowMs: undefined,
    windowEnd: undefined,
    windowConfirmed: false,
    budget: undefined,
    pausedUntil: 0,
    cap: settings.maxInFlight,
    successes: 0,
    backoffLevel: 0,
    orgLimit: undefined,
    orgRemaining: undefined,
    orgResetAt: undefined,
    inFlight: 0,
  };
}

/** The window the limiter paces to: the configured one, else the learned one, else the assumed one. */
export function windowMsOf(state: PacingState, settings: PacingSettings): number {
  return settings.windowFixed ? settings.windowMs : (state.learnedWindowMs ?? settings.windowMs);
}

/** GCRA emission interval: the window spread over the limit less its safety margin. */
export function emissionIntervalMs(limit: number, windowMs: number, safetyMargin: number): number {
  return windowMs / Math.max(limit * (1 - safetyMargin), 1e-9);
}

/** Monthly calls kept in reserve: the fraction of the allowance, rounded up. */
export function reservedCalls(orgLimit: number | undefined, quotaReserve: number): number {
  return orgLimit === undefined ? 0 : Math.ceil(orgLimit * quotaReserve);
}

/** Rolls the window forward once its end has passed and forgets a monthly quota that has reset. */
export function advance(state: PacingState, now: number, settings: PacingSettings): void {
  if (state.windowEnd !== undefined && now >= state.windowEnd) {
    const windowMs = windowMsOf(state, settings);
    const windows = Math.floor((now - state.windowEnd) / windowMs) + 1;
    state.windowEnd += windows * windowMs;
    state.windowConfirmed = false;
    // Requests still in flight may land in the new window.
    if (state.budget !== undefined) state.budget = Math.max(state.limit - state.inFlight, 0);
  }
  if (state.orgResetAt !== undefined && now >= state.orgResetAt) {
    state.orgRemaining = undefined;
    state.orgResetAt = undefined;
  }
  state.cap = Math.min(Math.max(state.cap, 1), settings.maxInFlight);
}

/** Decides whether one request may go at `now`; on "go" the state counts it as sent and in flight. */
export function decide(state: PacingState, now: number, settings: PacingSettings): PacingDecision {
  advance(state, now, settings);
  const reserved = reservedCalls(state.orgLimit, settings.quotaReserve);
  if (state.orgRemaining !== undefined && state.orgResetAt !== undefined && state.orgRemaining <= reserved) {
    return { kind: 'quota', remaining: state.orgRemaining, reserved, resetsAt: state.orgResetAt };
  }
  const interval = emissionIntervalMs(state.limit, windowMsOf(state, settings), settings.safetyMargin);
  const tolerance = (settings.burst - 1) * interval;
  const tat = Math.max(state.tat, now);
  let waitMs = 0;
  let reason: WaitReason = 'pace';
  if (tat - tolerance > now) waitMs = tat - tolerance - now;
  if (state.budget !== undefined && state.budget <= 0 && state.windowEnd !== undefined) {
    if (state.windowEnd - now > waitMs) {
      waitMs = state.windowEnd - now;
      reason = 'window';
    }
  }
  if (state.pausedUntil - now > waitMs) {
    waitMs = state.pausedUntil - now;
    reason = 'paused';
  }
  // Whole milliseconds, like the Lua script's integer reply.
  if (waitMs > 0) return { kind: 'wait', waitMs: Math.ceil(waitMs), reason };
  if (state.inFlight >= state.cap) return { kind: 'wait', waitMs: concurrencyPollMs, reason: 'concurrency' };
  state.tat = tat + interval;
  state.inFlight += 1;
  if (state.budget !== undefined) state.budget -= 1;
  if (state.orgRemaining !== undefined) state.orgRemaining -= 1;
  return { kind: 'go' };
}

/**
 * Applies the result of one granted request. Requests other than this one still in flight had
 * not been counted by the server when it wrote the headers.
 */
export function observe(
  state: PacingState,
  now: number,
  result: AttemptResult,
  random: number,
  settings: PacingSettings,
): void {
  state.inFlight = Math.max(state.inFlight - 1, 0);
  advance(state, now, settings);
  const verdict = classifyAttempt(result);
  if (result.kind === 'response') observeWindow(state, now, result.headers, settings);
  applyVerdict(state, now, verdict, result, random, settings);
  if (result.kind === 'response') observeQuota(state, now, result.headers, state.inFlight);
}

/** What the -user headers say about the limit, the budget and where the window ends. */
function observeWindow(
  state: PacingState,
  now: number,
  headers: RateLimitHeaders,
  settings: PacingSettings,
): void {
  const others = state.inFlight;
  if (headers.userLimit !== undefined && headers.userLimit >= 1) state.limit = headers.userLimit;
  if (!settings.windowFixed) state.learnedWindowMs = learnWindowMs(state.learnedWindowMs, headers);
  const windowMs = windowMsOf(state, settings);
  const untilReset = resetMs(headers);
  const headerEnd = untilReset === undefined ? undefined : now + untilReset;
  if (headers.userRemaining === undefined) return;
  const left = Math.max(headers.userRemaining - others, 0);
  const half = windowMs / 2;
  if (
    state.windowEnd === undefined ||
    state.budget === undefined ||
    (headerEnd !== undefined && headerEnd > state.windowEnd + half)
  ) {
    // First header, or the server has started a later window than ours.
    state.budget = left;
    state.windowEnd = headerEnd ?? now + windowMs;
    state.windowConfirmed = headerEnd !== undefined;
  } else if (headerEnd === undefined || headerEnd >= state.windowEnd - half) {
    // Within a window remaining only falls: a header never hands back budget.
    state.budget = Math.min(state.budget, left);
    if (headerEnd !== undefined) {
      // Each reset bounds the true end from above: keep the tightest.
      state.windowEnd = state.windowConfirmed ? Math.min(state.windowEnd, headerEnd) : headerEnd;
      state.windowConfirmed = true;
    }
  }
  // Else a late answer from the window before ours: nothing to learn about this one.
}

/** The policy's verdict applied: pause, halve or grow the in-flight cap. */
function applyVerdict(
  state: PacingState,
  now: number,
  verdict: RateLimitVerdict,
  result: AttemptResult,
  random: number,
  settings: PacingSettings,
): void {
  switch (verdict) {
    case 'window-spent': {
      const windowMs = windowMsOf(state, settings);
      const untilReset = result.kind === 'response' ? resetMs(result.headers) : undefined;
      const waitMs =
        untilReset ??
        (state.windowEnd !== undefined && state.windowEnd > now ? state.windowEnd - now : windowMs);
      pauseForWindow(state, now, waitMs, windowMs, random);
      state.budget = 0;
      state.windowEnd = now + waitMs;
      state.windowConfirmed = untilReset !== undefined;
      return;
    }
    case 'concurrency':
      if (pauseForConcurrency(state, now, random)) {
        state.cap = Math.max(Math.floor(state.cap / 2), 1);
        state.successes = 0;
      }
      return;
    case 'accepted':
      state.backoffLevel = 0;
      state.successes += 1;
      if (state.successes >= state.cap) {
        state.successes = 0;
        state.cap = Math.min(state.cap + 1, settings.maxInFlight);
      }
      return;
    case 'server-error':
    case 'no-response':
      return;
    default: {
      const never: never = verdict;
      throw new Error(`unknown rate-limit verdict ${String(never)}`);
    }
  }
}

function observeQuota(state: PacingState, now: number, headers: RateLimitHeaders, others: number): void {
  if (headers.orgRemaining === undefined || headers.orgReset === undefined) {
    // Missing or "unlimited": no monthly cap.
    state.orgLimit = undefined;
    state.orgRemaining = undefined;
    state.orgResetAt = undefined;
    return;
  }
  const left = Math.max(headers.orgRemaining - others, 0);
  const resetAt = now + headers.orgReset * 1000;
  state.orgLimit = headers.orgLimit;
  if (
    state.orgRemaining === undefined ||
    state.orgResetAt === undefined ||
    resetAt > state.orgResetAt + newPeriodSlackMs
  ) {
    state.orgRemaining = left;
    state.orgResetAt = resetAt;
  } else {
    state.orgRemaining = Math.min(state.orgRemaining, left);
  }
}
