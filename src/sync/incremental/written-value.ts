import type { FieldValueUpdate } from '../../affinity/field-value.js';
import type { FieldValueRead } from '../../affinity/schemas.js';
import { affinityDateZone, calendarDateOf } from '../calendar-date.js';

// What Affinity holds after a successful write of `update`, in the read shape sameValue compares
// with: the state records it instead of reading the entry back.

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: affinityDateZone,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The instant of midnight America/Los_Angeles on `date` (YYYY-MM-DD), as Affinity stores a date. */
export function pacificMidnight(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wanted = utc(y, m, d, 0, 0, 0);
  let time = wanted + 8 * 3_600_000;
  // Walk to the instant whose Pacific wall clock reads the date at 00:00:00 (PST or PDT).
  for (let i = 0; i < 3; i += 1) {
    const parts = Object.fromEntries(formatter.formatToParts(time).map((p) => [p.type, p.value]));
    const wall = utc(
      Number(parts['year']),
      Number(parts['month']),
      Number(parts['day']),
      Number(parts['hour']),
      Number(parts['minute']),
      Number(parts['second']),
    );
    time -= wall - wanted;
  }
  return new Date(time).toISOString();
}

// Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/**
 * The value Affinity holds once `update` was accepted (pure): a date at midnight Pacific of its
 * calendar date, empty text and empty multi values as null, everything else as sent (sameValue
 * compares ids, sets and the five location keys, so the read decorations do not matter).
 */
export function writtenValue(update: FieldValueUpdate): FieldValueRead {
  switch (update.type) {
    case 'datetime': {
      const date = update.data === null ? null : calendarDateOf(update.data);
      return { type: update.type, data: date === null ? null : pacificMidnight(date) };
    }
    case 'text':
    case 'filterable-text':
      return { type: update.type, data: update.data === '' ? null : update.data };
    case 'filterable-text-multi':
    case 'number-multi':
    case 'dropdown-multi':
    case 'location-multi':
    case 'person-multi':
    case 'company-multi':
      return {
        type: update.type,
        data: update.data === null || update.data.length === 0 ? null : update.data,
      };
    case 'number':
    case 'dropdown':
    case 'ranked-dropdown':
    case 'location':
    case 'person':
    case 'company':
      return { type: update.type, data: update.data };
    default: {
      const never: never = update;
      return never;
    }
  }
}
