// Durations in the mapping format: a whole number and a unit, e.g. "30m", "12h", "7d", "2w".

const units = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const pattern = /^([1-9]\d{0,5})(m|h|d|w)$/;

/** Milliseconds of a duration like "7d", or null when the text is not one. */
export function durationMs(text: string): number | null {
  const match = pattern.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * units[match[2] as keyof typeof units];
}
