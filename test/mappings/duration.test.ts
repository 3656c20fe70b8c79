import { describe, expect, it } from 'vitest';
import { durationMs } from '../../src/mappings/duration.js';

describe('durationMs', () => {
  it.each([
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    [' 1d ', 86_400_000],
  ])('%s', (text, ms) => expect(durationMs(text)).toBe(ms));

  it.each(['', '7', 'd', '0d', '7 d', '1.5d', '-1d', '7y', '7D', '1234567d'])('rejects %j', (text) =>
    expect(durationMs(text)).toBeNull(),
  );
});
