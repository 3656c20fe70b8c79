import { describe, expect, it } from 'vitest';
import { affinityDateTime, affinityDateZone, calendarDateOf } from '../../src/sync/calendar-date.js';

describe('calendarDateOf', () => {
  it.each([
    ['2024-01-15', '2024-01-15'],
    [' 2024-01-15 ', '2024-01-15'],
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
    ['2024-01-15T23:30:00-08:00', '2024-01-15'],
    ['2024-01-15T00:30:00+09:00', '2024-01-15'],
    ['2024-01-15T10:00:00Z', '2024-01-15'],
    ['2024-01-15T10:00:00.123456Z', '2024-01-15'],
    ['2024-01-15 10:00:00+00', '2024-01-15'],
    ['2024-01-15 10:00:00+0530', '2024-01-15'],
    ['2024-01-15T10:00', '2024-01-15'],
    ['2024-01-15t10:00:00z', '2024-01-15'],
  ])('%j is the calendar date %j as written', (input, expected) => {
    expect(calendarDateOf(input)).toBe(expected);
  });

  it.each([
    '2024-02-30',
    '2023-02-29',
    '1900-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '0000-01-01',
    '2024-1-5',
    '15/01/2024',
    '2024-01-15T25:00:00Z',
    '2024-01-15T10:61:00Z',
    '2024-01-15T10:00:00+25:00',
    'yesterday',
    '',
  ])('%j is not a date', (input) => {
    expect(calendarDateOf(input)).toBeNull();
  });

  it('takes the UTC date of a Date, whatever the process time zone', () => {
    // Late evening in the Americas is already the next day in UTC: the local date differs.
    const date = new Date(Date.UTC(2024, 0, 16, 2, 30));
    expect(calendarDateOf(date)).toBe('2024-01-16');
    expect(calendarDateOf(new Date(Date.UTC(2024, 0, 15, 23, 59)))).toBe('2024-01-15');
    expect(calendarDateOf(new Date(Number.NaN))).toBeNull();
    expect(calendarDateOf(new Date(Date.UTC(10000, 0, 1)))).toBeNull();
  });

  it('reads Affinity dates stored at midnight Pacific in America/Los_Angeles', () => {
    expect(calendarDateOf('2024-01-15T08:00:00.000Z', affinityDateZone)).toBe('2024-01-15');
    expect(calendarDateOf('2024-04-01T07:00:00Z', affinityDateZone)).toBe('2024-04-01');
    expect(calendarDateOf('2024-01-15T07:59:59Z', affinityDateZone)).toBe('2024-01-14');
    expect(calendarDateOf(new Date('2024-07-04T07:00:00Z'), affinityDateZone)).toBe('2024-07-04');
    expect(calendarDateOf('2024-01-15', affinityDateZone)).toBe('2024-01-15');
    expect(calendarDateOf('2024-02-30T08:00:00Z', affinityDateZone)).toBeNull();
  });

  it('formats the date-time Affinity expects', () => {
    expect(affinityDateTime('2024-01-15')).toBe('2024-01-15T00:00:00Z');
  });
});
