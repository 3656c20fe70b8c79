import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { capShownValue, shownTextLength } from '../../src/sync/shown-value-cap.js';

const sha8 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);

describe('capShownValue', () => {
  it('keeps values up to 200 characters as they are', () => {
    const text = 'x'.repeat(shownTextLength);
    expect(capShownValue(text)).toBe(text);
    for (const value of [null, 42, true, ['a', 'b'], { city: 'Austin' }])
      expect(capShownValue(value)).toEqual(value);
  });

  it('cuts a longer text to 200 characters, then the count left out and the sha256 of the whole', () => {
    const text = `${'a'.repeat(200)}${'b'.repeat(10 * 1024 * 1024)}`;
    expect(capShownValue(text)).toBe(`${'a'.repeat(200)}… (+10485760 chars, sha256 ${sha8(text)})`);
  });

  it('cuts texts inside lists and locations, and never splits a surrogate pair', () => {
    const long = 'y'.repeat(300);
    expect(capShownValue([long, 'short'])).toEqual([
      `${'y'.repeat(200)}… (+100 chars, sha256 ${sha8(long)})`,
      'short',
    ]);
    expect(capShownValue({ streetAddress: long, city: 'Austin' })).toEqual({
      streetAddress: `${'y'.repeat(200)}… (+100 chars, sha256 ${sha8(long)})`,
      city: 'Austin',
    });
    const emoji = `${'z'.repeat(199)}😀${'z'.repeat(50)}`;
    expect(capShownValue(emoji)).toBe(`${'z'.repeat(199)}… (+52 chars, sha256 ${sha8(emoji)})`);
  });
});
