import type { Row, SourceValue } from '../sources/source.js';
import { normalizeDomain } from './domain.js';
import { normalizeEmail } from './email.js';
import type { EntryIndex, IndexedEntry } from './entry-index.js';
import { showValue } from './show-value.js';

/** One rule of a mapping's `match`: which column holds which kind of key. */
export type MatchRule = { column: string; by: 'entityId' | 'listEntryId' | 'domain' | 'email' };

export type MatchResult =
  | { kind: 'matched'; entries: IndexedEntry[]; rule: MatchRule; key: string }
  | { kind: 'ambiguous'; key: string; rule: MatchRule; entityIds: number[] }
  /** `keys` are the keys tried, as `column=key` (normalized), in rule order. */
  | { kind: 'unmatched'; keys: string[] }
  | { kind: 'invalid-key'; column: string; value: string; reason: string };

/**
 * Finds the list entries a source row updates, trying the rules in order; the first rule that hits
 * wins. A null or blank key skips to the next rule, and so does a key that cannot be one (`abc` as
 * an id, a string that is not a domain or address) or a domain or address leading to two entities. When no rule hits the
 * result says what was found, most useful first: ambiguous, then invalid-key, then unmatched.
 */
export function matchRow(row: Row, rules: MatchRule[], index: EntryIndex): MatchResult {
  const keys: string[] = [];
  let ambiguous: MatchResult | undefined;
  let invalid: MatchResult | undefined;
  for (const rule of rules) {
    const raw = row[rule.column];
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) continue;
    if (rule.by === 'domain' || rule.by === 'email') {
      const byDomain = rule.by === 'domain';
      const key = typeof raw === 'string' ? (byDomain ? normalizeDomain(raw) : normalizeEmail(raw)) : null;
      if (key === null) {
        invalid ??= {
          kind: 'invalid-key',
          column: rule.column,
          value: showValue(raw),
          reason: notA(raw, byDomain ? 'domain' : 'e-mail address'),
        };
        continue;
      }
      const found = byDomain ? index.byDomain(key) : index.byEmail(key);
      if (found.kind === 'hit') return { kind: 'matched', entries: found.entries, rule, key };
      if (found.kind === 'ambiguous')
        ambiguous ??= { kind: 'ambiguous', key, rule, entityIds: found.entityIds };
      else keys.push(`${rule.column}=${key}`);
      continue;
    }
    const id = idOf(raw);
    if (id === null) {
      const what = rule.by === 'entityId' ? 'entity id' : 'list entry id';
      invalid ??= {
        kind: 'invalid-key',
        column: rule.column,
        value: showValue(raw),
        reason: `${notA(raw, what)} (a positive whole number)`,
      };
      continue;
    }
    const entries = rule.by === 'entityId' ? index.byEntityId(id) : listOf(index.byListEntryId(id));
    if (entries.length > 0) return { kind: 'matched', entries, rule, key: String(id) };
    keys.push(`${rule.column}=${id}`);
  }
  return ambiguous ?? invalid ?? { kind: 'unmatched', keys };
}

function notA(raw: SourceValue, what: string): string {
  return `${showValue(raw)} is not ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}`;
}

/** A source value as a positive whole id (number, bigint or digits), or null. */
export function idOf(raw: SourceValue): number | null {
  let id = Number.NaN;
  if (typeof raw === 'number') id = raw;
  else if (typeof raw === 'bigint') id = raw <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(raw) : Number.NaN;
  else if (typeof raw === 'string' && /^\d+$/.test(raw.trim())) id = Number(raw.trim());
  return Number.isSafeInteger(id) && id >= 1 ? id : null;
}

function listOf(entry: IndexedEntry | undefined): IndexedEntry[] {
  return entry === undefined ? [] : [entry];
}
