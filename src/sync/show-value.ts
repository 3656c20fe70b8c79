import type { SourceValue } from '../sources/source.js';

/** Longest text of a value shown in a reason; longer values end in `…`. */
export const shownValueLength = 60;

/**
 * A source value as a person reads it in a reason or report: strings quoted (JSON escapes, so
 * control characters and lone surrogates stay visible), dates as ISO, lists and objects as JSON,
 * cut to about 60 characters.
 */
export function showValue(value: SourceValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    const cut = value.length > shownValueLength ? `${value.slice(0, shownValueLength - 1)}…` : value;
    return JSON.stringify(cut);
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value === null) return 'null';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  // bytea / BLOB columns arrive as bytes; their JSON form would show every byte as a number.
  if (value instanceof Uint8Array) return `binary data (${value.byteLength} bytes)`;
  return cut(jsonOf(value));
}

function jsonOf(value: SourceValue): string {
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) ?? String(value)
    );
  } catch {
    // A cyclic object cannot come from a driver, but a report must never fail on a value.
    return Array.isArray(value) ? '[…]' : '{…}';
  }
}

function cut(text: string): string {
  return text.length > shownValueLength ? `${text.slice(0, shownValueLength - 1)}…` : text;
}
