import { describe, expect, it } from 'vitest';
import type { AttemptResult, RateLimitHeaders } from '../../src/affinity/limiter.js';
import type { PacingDecision, PacingSettings, PacingState } from '../../src/limiter/pacing-math.js';

// The limiter's arithmetic, scenario by scenario with an injected clock, run against both the
// TypeScript (pacing-math.ts) and the Lua script (redis-limiter-script.ts) so the two stay equal.

/** One limiter state driven by an explicit clock; `other()` is a second process on the same key. */
export interface PacingCore {
  acquire(now: number): Promise<PacingDecision>;
  observe(now: number, result: AttemptResult, random?: number): Promise<void>;
  state(now: number): Promise<Partial<PacingState>>;
  other(): PacingCore;
}

export const testSettings: PacingSettings = {
  limit: 60,
  windowMs: 5000,
  // The scenarios below were written for a known window; the learning ones unset this.
  windowFixed: true,
  safetyMargin: 0.05,
  burst: 2,
  quotaReserve: 0.02,
  maxInFlight: 8,
};

const interval = 5000 / 57;
const t0 = 1_700_000_000_000;

function ok(headers: RateLimitHeaders = {}): AttemptResult {
  return { kind: 'response', status: 200, headers };
}

function tooMany(headers: RateLimitHeaders = {}): AttemptResult {
  return { kind: 'response', status: 429, headers };
}

/** Acquires until granted, advancing the clock by each wait; returns the grant time. */
async function acquireAt(core: PacingCore, start: number): Promise<number> {
  let now = start;
  for (let i = 0; i < 10_000; i++) {
    const decision = await core.acquire(now);
    if (decision.kind === 'go') return now;
    if (decision.kind === 'quota') throw new Error('quota');
    now += decision.waitMs;
  }
  throw new Error('never granted');
}

/** `n` grants from `start`, each answered at once with 40-per-window headers of a window ending at `windowEnd`. */
async function grantsAnswered(
  core: PacingCore,
  start: number,
  n: number,
  windowEnd: number,
): Promise<number[]> {
  const grants: number[] = [];
  let now = start;
  for (let i = 0; i < n; i++) {
    now = await acquireAt(core, now);
    grants.push(now);
    const userReset = Math.ceil((windowEnd - now) / 1000);
    await core.observe(now, ok({ userLimit: 40, userRemaining: 38 - i, userReset }));
  }
  return grants;
}

export function describePacingScenarios(
  name: string,
  makeCore: (settings?: PacingSettings) => Promise<PacingCore>,
) {
  describe(`${name}: pacing arithmetic with an injected clock`, () => {
    it('lets a burst of 2 go, then spaces requests by window / (limit × (1 − margin))', async () => {
      const core = await makeCore();
      expect(await core.acquire(t0)).toEqual({ kind: 'go' });
      expect(await core.acquire(t0)).toEqual({ kind: 'go' });
      expect(await core.acquire(t0)).toEqual({ kind: 'wait', waitMs: Math.ceil(interval), reason: 'pace' });
      expect(await core.acquire(t0 + Math.ceil(interval))).toEqual({ kind: 'go' });
      const state = await core.state(t0 + 100);
      expect(state.tat! - t0).toBeCloseTo(3 * interval, 1);
      expect(state.inFlight).toBe(3);
    });

    it('never grants more than the limit in any window and uses at least 95% of it', async () => {
      const core = await makeCore();
      const grants: number[] = [];
      let now = t0;
      while (now < t0 + 50_000) {
        now = await acquireAt(core, now);
        grants.push(now);
        await core.observe(now, ok());
      }
      let most = 0;
      for (let i = 0, j = 0; i < grants.length; i++) {
        while (grants[i]! - grants[j]! >= 5000) j++;
        most = Math.max(most, i - j + 1);
      }
      expect(most).toBeLessThanOrEqual(60);
      expect(grants.length / 10 / 60).toBeGreaterThanOrEqual(0.95);
    });

    it('takes a lowered limit from the next response', async () => {
      const core = await makeCore();
      await acquireAt(core, t0);
      await core.observe(t0 + 10, ok({ userLimit: 30, userRemaining: 29, userReset: 5 }));
      const state = await core.state(t0 + 10);
      expect(state.limit).toBe(30);
      const first = await acquireAt(core, t0 + 10);
      const second = await acquireAt(core, first);
      const third = await acquireAt(core, second);
      // 5000 / (30 × 0.95) ≈ 175.4 ms apart once the burst is spent.
      expect(third - second).toBe(176);
    });

    it('never raises remaining within a window, counts requests in flight, and starts a new window when the server says so', async () => {
      const core = await makeCore();
      await acquireAt(core, t0);
      await acquireAt(core, t0);
      // One other request is still in flight: the server had not counted it yet.
      await core.observe(t0 + 5, ok({ userLimit: 60, userRemaining: 10, userReset: 3 }));
      expect(await core.state(t0 + 5)).toMatchObject({ budget: 9, windowEnd: t0 + 5 + 3000 });
      await core.observe(t0 + 6, ok({ userLimit: 60, userRemaining: 40, userReset: 3 }));
      expect((await core.state(t0 + 6)).budget).toBe(9);
      await core.observe(t0 + 7, ok({ userLimit: 60, userRemaining: 4, userReset: 3 }));
      expect((await core.state(t0 + 7)).budget).toBe(4);
      // A reset that points past this window means the server started a new one.
      await core.observe(t0 + 8, ok({ userLimit: 60, userRemaining: 58, userReset: 6 }));
      expect(await core.state(t0 + 8)).toMatchObject({ budget: 58, windowEnd: t0 + 8 + 6000 });
    });

    it('keeps the tightest reset of a window, and learns the next window from its first header', async () => {
      const core = await makeCore();
      await acquireAt(core, t0);
      await core.observe(t0 + 10, ok({ userLimit: 60, userRemaining: 50, userReset: 3 }));
      await core.observe(t0 + 600, ok({ userLimit: 60, userRemaining: 49, userReset: 3 }));
      expect(await core.state(t0 + 600)).toMatchObject({ windowEnd: t0 + 3010, windowConfirmed: true });
      await core.observe(t0 + 900, ok({ userLimit: 60, userRemaining: 48, userReset: 2 }));
      expect((await core.state(t0 + 900)).windowEnd).toBe(t0 + 2900);
      // Our estimate of the next window until the server confirms it.
      expect(await core.acquire(t0 + 2900)).toEqual({ kind: 'go' });
      expect(await core.state(t0 + 2900)).toMatchObject({
        windowEnd: t0 + 7900,
        windowConfirmed: false,
        budget: 59,
      });
      // A late answer from the window before teaches nothing about this one.
      await core.observe(t0 + 2950, ok({ userLimit: 60, userRemaining: 0, userReset: 1 }));
      expect(await core.state(t0 + 2950)).toMatchObject({ windowEnd: t0 + 7900, budget: 59 });
      await core.observe(t0 + 3000, ok({ userLimit: 60, userRemaining: 58, userReset: 5 }));
      expect(await core.state(t0 + 3000)).toMatchObject({
        windowEnd: t0 + 8000,
        windowConfirmed: true,
        budget: 58,
      });
    });

    it('waits for the window end once the budget is spent, then refills it', async () => {
      const core = await makeCore();
      await acquireAt(core, t0);
      await core.observe(t0 + 1, ok({ userLimit: 60, userRemaining: 1, userReset: 2 }));
      const granted = await acquireAt(core, t0 + 1);
      await core.observe(granted, ok({ userLimit: 60, userRemaining: 0, userReset: 2 }));
      expect(await core.acquire(granted)).toEqual({
        kind: 'wait',
        waitMs: t0 + 2001 - granted,
        reason: 'window',
      });
      expect(await core.acquire(t0 + 2001)).toEqual({ kind: 'go' });
      expect((await core.state(t0 + 2001)).budget).toBe(59);
    });

    it('pauses every process on the key after a 429 until the reset plus jitter', async () => {
      const core = await makeCore();
      await acquireAt(core, t0);
      await core.observe(t0 + 20, tooMany({ userLimit: 60, userRemaining: 0, userReset: 2 }), 0.5);
      // Jitter: random × min(1 s, window / 10) = 0.5 × 500 ms.
      expect(await core.acquire(t0 + 20)).toEqual({ kind: 'wait', waitMs: 2250, reason: 'paused' });
      expect(await core.other().acquire(t0 + 1020)).toEqual({ kind: 'wait', waitMs: 1250, reason: 'paused' });
      expect(await core.other().acquire(t0 + 2270)).toEqual({ kind: 'go' });
    });

    it('on a 429 with remaining > 0 backs off exponentially and halves the in-flight cap, then raises it on successes', async () => {
      const core = await makeCore({ ...testSettings, maxInFlight: 4, limit: 6000 });
      for (let i = 0; i < 4; i++) await acquireAt(core, t0);
      expect(await core.acquire(t0 + 100)).toEqual({ kind: 'wait', waitMs: 20, reason: 'concurrency' });
      await core.observe(t0 + 1, tooMany({ userRemaining: 30 }), 1);
      expect(await core.state(t0 + 1)).toMatchObject({ cap: 2, backoffLevel: 1, pausedUntil: t0 + 501 });
      // A 429 of the same burst (answered during the pause) does not escalate.
      await core.observe(t0 + 2, tooMany({ userRemaining: 30 }), 1);
      expect(await core.state(t0 + 2)).toMatchObject({ cap: 2, backoffLevel: 1, pausedUntil: t0 + 501 });
      // A 429 after the pause does: the step doubles (jittered into [½, 1]) and the cap halves again.
      await core.observe(t0 + 600, tooMany({ userRemaining: 30 }), 0);
      expect(await core.state(t0 + 600)).toMatchObject({ cap: 1, backoffLevel: 2, pausedUntil: t0 + 1100 });
      expect(await core.acquire(t0 + 600)).toEqual({ kind: 'wait', waitMs: 500, reason: 'paused' });
      await core.observe(t0 + 601, ok());
      expect(await core.state(t0 + 601)).toMatchObject({ cap: 2, backoffLevel: 0, inFlight: 0 });
      const at = await acquireAt(core, t0 + 1100);
      await core.observe(at, ok());
      await acquireAt(core, at);
      await core.observe(at + 1, ok());
      expect((await core.state(at + 1)).cap).toBe(3);
    });

    it('pauses about as long after a burst of 8 simultaneous concurrency 429s as after one', async () => {
      const core = await makeCore({ ...testSettings, maxInFlight: 8, limit: 100_000, windowMs: 60_000 });
      for (let i = 0; i < 8; i++) await acquireAt(core, t0);
      for (let i = 0; i < 8; i++) {
        await core.observe(t0 + 10, tooMany({ userLimit: 100_000, userRemaining: 99_990, userReset: 30 }), 1);
      }
      expect(await core.state(t0 + 10)).toMatchObject({ cap: 4, backoffLevel: 1, pausedUntil: t0 + 510 });
    });

    it('backs off exponentially on a 429 without rate-limit headers', async () => {
      const core = await makeCore();
      await acquireAt(core, t0);
      await core.observe(t0 + 10, tooMany({}), 1);
      expect(await core.state(t0 + 10)).toMatchObject({ cap: 4, backoffLevel: 1, pausedUntil: t0 + 510 });
      expect(await core.acquire(t0 + 10)).toEqual({ kind: 'wait', waitMs: 500, reason: 'paused' });
    });

    it('stops at the monthly reserve and forgets the cap when the headers say unlimited', async () => {
      const core = await makeCore();
      await acquireAt(core, t0);
      await core.observe(t0, ok({ orgLimit: 1000, orgRemaining: 25, orgReset: 3600 }));
      let now = t0;
      for (let i = 0; i < 5; i++) now = await acquireAt(core, now);
      expect(await core.acquire(now)).toEqual({
        kind: 'quota',
        remaining: 20,
        reserved: 20,
        resetsAt: t0 + 3_600_000,
      });
      // A header that raises remaining within the same month does not reopen it.
      await core.observe(now, ok({ orgLimit: 1000, orgRemaining: 24, orgReset: 3599 }));
      expect((await core.acquire(now)).kind).toBe('quota');
      await core.observe(now, ok({ userRemaining: 50 }));
      expect(await core.acquire(now + 1000)).toEqual({ kind: 'go' });
    });

    it('forgets the monthly quota once its reset has passed', async () => {
      const core = await makeCore();
      await acquireAt(core, t0);
      await core.observe(t0, ok({ orgLimit: 100, orgRemaining: 2, orgReset: 10 }));
      expect((await core.acquire(t0 + 100)).kind).toBe('quota');
      expect(await core.acquire(t0 + 10_000)).toEqual({ kind: 'go' });
    });
  });

  describe(`${name}: the window learned from resets`, () => {
    // Nobody configured the window: 60 s (and 900) assumed until a header says otherwise.
    const learning: PacingSettings = { ...testSettings, limit: 900, windowMs: 60_000, windowFixed: false };

    it('paces to the window the first reset teaches, not the assumed 60 s', async () => {
      const core = await makeCore(learning);
      await acquireAt(core, t0);
      await core.observe(t0 + 5, ok({ userLimit: 40, userRemaining: 39, userReset: 5 }));
      expect(await core.state(t0 + 5)).toMatchObject({
        limit: 40,
        learnedWindowMs: 5000,
        windowEnd: t0 + 5005,
        budget: 39,
      });
      const grants = await grantsAnswered(core, t0 + 5, 12, t0 + 5005);
      // 5000 / (40 × 0.95) ≈ 131.6 ms apart once the burst is spent (not 60 000 / 38 ≈ 1579 ms).
      expect((grants[11]! - grants[2]!) / 9).toBeCloseTo(5000 / 38, 0);
    });

    it('keeps the largest reset seen: smaller or zero resets later in the window do not shrink it', async () => {
      const core = await makeCore(learning);
      await acquireAt(core, t0);
      await core.observe(t0 + 5, ok({ userLimit: 40, userRemaining: 39, userReset: 2 }));
      expect((await core.state(t0 + 5)).learnedWindowMs).toBe(2000);
      await core.observe(t0 + 2100, ok({ userLimit: 40, userRemaining: 39, userReset: 5 }));
      await core.observe(t0 + 3000, ok({ userLimit: 40, userRemaining: 30, userReset: 4 }));
      await core.observe(t0 + 6900, ok({ userLimit: 40, userRemaining: 0, userReset: 0 }));
      expect((await core.state(t0 + 6900)).learnedWindowMs).toBe(5000);
    });

    it('rolls an unconfirmed window forward by the learned length', async () => {
      const core = await makeCore(learning);
      await acquireAt(core, t0);
      await core.observe(t0 + 10, ok({ userLimit: 40, userRemaining: 30, userReset: 5 }));
      await acquireAt(core, t0 + 5010);
      expect(await core.state(t0 + 5010)).toMatchObject({ windowEnd: t0 + 10_010, windowConfirmed: false });
    });

    it('learns nothing from resets when the window is configured (RATE_LIMIT_WINDOW_SECONDS)', async () => {
      const core = await makeCore({ ...learning, windowFixed: true });
      await acquireAt(core, t0);
      await core.observe(t0 + 5, ok({ userLimit: 40, userRemaining: 39, userReset: 5 }));
      expect((await core.state(t0 + 5)).learnedWindowMs).toBeUndefined();
      const grants = await grantsAnswered(core, t0 + 5, 4, t0 + 60_005);
      expect(grants[3]! - grants[2]!).toBeCloseTo(60_000 / 38, -1);
    });

    it('uses at least 90% of a 5 s window of 40 it was never told about, never more than 40 in a window', async () => {
      const core = await makeCore(learning);
      // Affinity's fixed window as the simulator keeps it: starts at the first request, resets in whole seconds.
      const server = { start: Number.NEGATIVE_INFINITY, count: 0 };
      const perWindow: number[] = [];
      let now = t0;
      let granted = 0;
      while (now < t0 + 30_000) {
        now = await acquireAt(core, now);
        if (now >= t0 + 30_000) break;
        if (now - server.start >= 5000) {
          if (server.count > 0) perWindow.push(server.count);
          server.start = now;
          server.count = 0;
        }
        server.count += 1;
        granted += 1;
        const headers = {
          userLimit: 40,
          userRemaining: Math.max(40 - server.count, 0),
          userReset: Math.ceil((server.start + 5000 - (now + 1)) / 1000),
        };
        await core.observe(now + 1, server.count > 40 ? tooMany(headers) : ok(headers));
      }
      expect(Math.max(...perWindow)).toBeLessThanOrEqual(40);
      expect(granted / (6 * 40)).toBeGreaterThanOrEqual(0.9);
    });
  });
}
