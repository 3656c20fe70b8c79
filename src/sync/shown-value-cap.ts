import { createHash } from 'node:crypto';

/** Most characters of one text a report's `changes` shows; the rest is summarised. */
export const shownTextLength = 200;

/**
 * A before/after value as a report keeps it: every text longer than 200 characters (inside lists
 * and locations too) becomes its first 200 characters, `… (+N chars, sha256 <8 hex>)` — N the
 * characters left out, the hash that of the whole text (UTF-8), to compare with the warehouse.
 */
export function capShownValue(value: unknown): unknown {
  if (typeof value === 'string') return capText(value);
  if (Array.isArray(value)) return value.map(capShownValue);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, capShownValue(item)]));
  }
  return value;
}

function capText(text: string): string {
  if (text.length <= shownTextLength) return text;
  let cut = text.slice(0, shownTextLength);
  // Never end on half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const hash = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);
  return `${cut}… (+${text.length - cut.length} chars, sha256 ${hash})`;
}
