// Affinity ignores the time part of a datetime and stores midnight America/Los_Angeles of the date.
const timeZone = 'America/Los_Angeles';
const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const isoDateTime = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

// Formatting is slow and a data set has few distinct dates: remember each day's answer.
const cache = new Map<string, string>();

/** Offset of Los Angeles from UTC at `instant`, in milliseconds (negative: behind UTC). */
function pacificOffsetMs(instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(
    parts['year'] ?? 0,
    (parts['month'] ?? 1) - 1,
    parts['day'] ?? 1,
    parts['hour'] ?? 0,
    parts['minute'] ?? 0,
    parts['second'] ?? 0,
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** True when `text` is an ISO 8601 date-time with a zone (what the spec's `format: date-time` asks). */
export function isIsoDateTime(text: string): boolean {
  return isoDateTime.test(text) && !Number.isNaN(Date.parse(text));
}

/**
 * The calendar date written in `text` (time part ignored) at midnight Los Angeles, as Affinity returns it:
 * "2024-04-01T15:30:00Z" → "2024-04-01T07:00:00.000Z". Returns null when `text` is not an ISO date-time.
 */
export function midnightPacific(text: string): string | null {
  const match = isoDateTime.exec(text);
  if (!match || Number.isNaN(Date.parse(text))) return null;
  const day = `${match[1]}-${match[2]}-${match[3]}`;
  const cached = cache.get(day);
  if (cached) return cached;
  const utcMidnight = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // 08:00Z is midnight PST or 01:00 PDT: before any 02:00 DST switch, so its offset is midnight's.
  const offset = pacificOffsetMs(utcMidnight + 8 * 3600_000);
  const midnight = new Date(utcMidnight - offset).toISOString();
  if (cache.size < 100_000) cache.set(day, midnight);
  return midnight;
}
