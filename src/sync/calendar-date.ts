/** The zone Affinity stores dates in: a date is kept at midnight Pacific time of its calendar day. */
export const affinityDateZone = 'America/Los_Angeles';

// `YYYY-MM-DD`, optionally followed by a time (`T` or space) and an offset (`Z`, `+02`, `+0200`, `+02:00`).
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?\s?(z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar date (`YYYY-MM-DD`) of a source value, or null when it is not a valid date.
 *
 * Without `zone` the date is the one the value itself states, so the process time zone never
 * matters: a `Date` gives its UTC date; `2024-01-15` is taken as is; an ISO date-time gives the date
 * as written in its own offset (`2024-01-15T23:30:00-08:00` → `2024-01-15`).
 *
 * With `zone` (an IANA name) an ISO date-time with an offset, or a `Date`, is an instant: its
 * calendar date in that zone (`2024-01-15T08:00:00Z` in America/Los_Angeles → `2024-01-15`). A
 * bare `YYYY-MM-DD`, or a date-time without an offset, has no instant and is taken as written.
 *
 * Impossible dates (`2024-02-30`), times (`25:00`) and years outside 0001–9999 give null.
 */
export function calendarDateOf(value: Date | string, zone?: string): string | null {
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) return null;
    return zone === undefined ? utcDate(value) : zonedDate(time, zone);
  }
  if (typeof value !== 'string') return null;
  const match = isoPattern.exec(value.trim());
  if (match === null) return null;
  const [, y, mo, d, h, mi, s, offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (!isValidDate(year, month, day)) return null;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59)) return null;
  if (offset !== undefined && !isValidOffset(offset)) return null;
  const written = `${y}-${mo}-${d}`;
  if (zone === undefined || offset === undefined || h === undefined) return written;
  const time = Date.parse(`${written}T${h}:${mi}:${s ?? '00'}${offsetForParse(offset)}`);
  return Number.isNaN(time) ? null : zonedDate(time, zone);
}

/** The date-time Affinity expects for a calendar date: midnight UTC of that date. */
export function affinityDateTime(date: string): string {
  return `${date}T00:00:00Z`;
}

/** Whether year/month/day name a real day of the proleptic Gregorian calendar, years 1–9999. */
export function isValidDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || year < 1 || year > 9999) return false;
  if (!Number.isInteger(month) || month < 1 || month > 12) return false;
  return Number.isInteger(day) && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isValidOffset(offset: string): boolean {
  if (offset.toLowerCase() === 'z') return true;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  return hours <= 23 && minutes <= 59;
}

// Date.parse accepts only `Z` or `±HH:MM`.
function offsetForParse(offset: string): string {
  if (offset.toLowerCase() === 'z') return 'Z';
  const digits = offset.slice(1).replace(':', '');
  return `${offset[0]}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2) : '00'}`;
}

function utcDate(date: Date): string | null {
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) return null;
  return `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

function zonedDate(time: number, zone: string): string | null {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      era: 'short',
    });
    formatters.set(zone, formatter);
  }
  let year = 0;
  let month = 0;
  let day = 0;
  let bc = false;
  for (const part of formatter.formatToParts(time)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
    else if (part.type === 'era') bc = part.value === 'BC';
  }
  if (bc || !isValidDate(year, month, day)) return null;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
