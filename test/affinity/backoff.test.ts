import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/affinity/backoff.js';

describe('backoffDelayMs', () => {
  const almostOne = () => 0.999999;

  it('doubles the ceiling with each retry from the base', () => {
    const ceilings = [0, 1, 2, 3, 4].map((retry) =>
      backoffDelayMs(retry, { baseMs: 100, maxMs: 10_000 }, almostOne),
    );
    expect(ceilings).toEqual([99, 199, 399, 799, 1599]);
  });

  it('never exceeds the cap, even for huge retry counts', () => {
    expect(backoffDelayMs(10, { baseMs: 100, maxMs: 1000 }, almostOne)).toBe(999);
    expect(backoffDelayMs(5000, { baseMs: 100, maxMs: 1000 }, almostOne)).toBe(999);
  });

  it('draws the delay uniformly from zero (full jitter)', () => {
    expect(backoffDelayMs(3, { baseMs: 100, maxMs: 10_000 }, () => 0)).toBe(0);
    expect(backoffDelayMs(3, { baseMs: 100, maxMs: 10_000 }, () => 0.5)).toBe(400);
  });

  it('defaults to 250 ms base and 10 s cap', () => {
    expect(backoffDelayMs(0, {}, almostOne)).toBe(249);
    expect(backoffDelayMs(20, {}, almostOne)).toBe(9999);
  });

  it('stays within bounds for a misbehaving random source', () => {
    expect(backoffDelayMs(0, { baseMs: 100 }, () => 7)).toBe(100);
    expect(backoffDelayMs(0, { baseMs: 100 }, () => -1)).toBe(0);
  });

  it('stays within [0, ceiling) over many draws', () => {
    for (let retry = 0; retry < 8; retry++) {
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelayMs(retry, { baseMs: 50, maxMs: 2000 });
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(2000, 50 * 2 ** retry));
      }
    }
  });
});
