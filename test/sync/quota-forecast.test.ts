import { describe, expect, it } from 'vitest';
import { unmetExpectation } from '../../src/sync/expectations.js';
import { forecastWrites, quotaForecast, quotaShortfall } from '../../src/sync/quota-forecast.js';
import { emptyTally } from '../../src/sync/tally.js';

describe('the quota forecast (pure)', () => {
  it('counts one PATCH per 100 changed fields of each entry', () => {
    const entry = (n: number) => ({ changed: Array.from({ length: n }) });
    expect(forecastWrites([entry(1), entry(100), entry(101), entry(250)])).toBe(1 + 1 + 2 + 3);
    expect(forecastWrites([])).toBe(0);
  });

  it('warns when the run would spend more than the warn share of what is left', () => {
    const allowance = { remaining: 1000, limit: 10_000, resetSeconds: 12 * 86_400 };
    expect(quotaForecast({ reads: 50, writes: 150 }, allowance, 0.2)).toEqual({
      reads: 50,
      writes: 150,
      total: 200,
      allowance,
    });
    expect(quotaForecast({ reads: 50, writes: 151 }, allowance, 0.2).warning).toBe(
      'a real run would spend 201 calls, 20% of the 1,000 left this month (QUOTA_WARN_SHARE 0.2); the allowance resets in 12 days',
    );
    // No monthly cap reported: a forecast without an allowance or a warning.
    expect(quotaForecast({ reads: 5, writes: 5 }, undefined, 0.2)).toEqual({
      reads: 5,
      writes: 5,
      total: 10,
    });
  });

  it('a run whose writes would cross the reserve is short; one that fits, or without an allowance, is not', () => {
    const allowance = { remaining: 700, limit: 10_000, resetSeconds: 3 * 3600 };
    // The limiter keeps ceil(10,000 × 0.05) = 500 in reserve: 200 may be spent.
    expect(quotaShortfall(200, allowance, 0.05)).toBeUndefined();
    expect(quotaShortfall(201, allowance, 0.05)).toBe(
      'skipped before writing: its 201 writes would cross the monthly reserve — 700 calls left, 500 kept in reserve (QUOTA_RESERVE 0.05 of 10,000), so only 200 may be spent; the allowance resets in 3 h; nothing was written, and the next scheduled run tries again',
    );
    expect(quotaShortfall(10_000, undefined, 0.05)).toBeUndefined();
    expect(quotaShortfall(10_000, { remaining: 5 }, 0.05)).toBeUndefined();
  });
});

describe('expect: (pure)', () => {
  const rows = (read: number, matched: number) => ({
    ...emptyTally().rows,
    read,
    matched,
    unmatched: read - matched,
  });

  it('minRows: fewer rows fails, naming the count and what to check', () => {
    expect(unmetExpectation({ minRows: 1 }, rows(0, 0))).toBe(
      'the query returned 0 rows, fewer than expect.minRows 1; nothing was written — check the query and its source (an empty or stale table?), or lower expect.minRows',
    );
    expect(unmetExpectation({ minRows: 1 }, rows(1, 0))).toBeUndefined();
  });

  it('minMatchedShare: a smaller share fails, naming both shares', () => {
    expect(unmetExpectation({ minMatchedShare: 0.9 }, rows(10, 8))).toBe(
      '8 of 10 rows (80.0%) matched a list entry, less than expect.minMatchedShare 0.9 (90.0%); nothing was written — check the match columns, the list id and the unmatched rows in the report, or lower expect.minMatchedShare',
    );
    expect(unmetExpectation({ minMatchedShare: 0.9 }, rows(10, 9))).toBeUndefined();
    expect(unmetExpectation({ minMatchedShare: 0.9 }, rows(0, 0))).toBeUndefined();
    expect(unmetExpectation(undefined, rows(0, 0))).toBeUndefined();
  });
});
