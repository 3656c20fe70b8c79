import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders } from '../../src/affinity/rate-limit-headers.js';

describe('parseRateLimitHeaders', () => {
  it('reads all six headers', () => {
    const headers = new Headers({
      'x-ratelimit-limit-user': '900',
      'x-ratelimit-limit-user-remaining': '899',
      'x-ratelimit-limit-user-reset': '59',
      'x-ratelimit-limit-org': '100000',
      'x-ratelimit-limit-org-remaining': '99000',
      'x-ratelimit-limit-org-reset': '2592000',
    });
    expect(parseRateLimitHeaders(headers)).toEqual({
      userLimit: 900,
      userRemaining: 899,
      userReset: 59,
      orgLimit: 100000,
      orgRemaining: 99000,
      orgReset: 2592000,
    });
  });

  it('matches names case-insensitively (Affinity sent capitalised names before 2026)', () => {
    const headers = new Headers([
      ['X-Ratelimit-Limit-User', '900'],
      ['X-RATELIMIT-LIMIT-USER-REMAINING', '12'],
    ]);
    expect(parseRateLimitHeaders(headers)).toEqual({ userLimit: 900, userRemaining: 12 });
  });

  it('leaves missing headers undefined', () => {
    expect(parseRateLimitHeaders(new Headers())).toEqual({});
  });

  it('treats "unlimited" and garbage as undefined, keeping the numeric ones', () => {
    const headers = new Headers({
      'x-ratelimit-limit-user': ' 900 ',
      'x-ratelimit-limit-user-remaining': '',
      'x-ratelimit-limit-user-reset': '1.5',
      'x-ratelimit-limit-org': 'unlimited',
      'x-ratelimit-limit-org-remaining': '-3',
      'x-ratelimit-limit-org-reset': '12abc',
    });
    expect(parseRateLimitHeaders(headers)).toEqual({ userLimit: 900, userReset: 1.5 });
  });

  it('rejects forms Number() would accept', () => {
    for (const value of ['0x10', '1e3', 'Infinity', 'NaN', '  ']) {
      expect(parseRateLimitHeaders(new Headers({ 'x-ratelimit-limit-user': value }))).toEqual({});
    }
  });
});
