import type { EntityKind } from '../affinity/entity-schemas.js';
import type { Row } from '../sources/source.js';
import { entityKey } from './entity-keys.js';
import type { LookupResult } from './entity-lookup.js';
import { idOf, type MatchRule } from './match-row.js';

// What a target run must learn from Affinity before its rows' matches are known (pure): which ids
// to read and which domains / addresses to look up, walking each row's rules in order as matchRow
// will — a rule whose record exists ends the walk, so nothing past it is asked.

/** What is known so far. */
export interface RecordKnowledge {
  /** Ids read: true when Affinity returned the record, false when it did not (merged, deleted, never). */
  readonly read: ReadonlyMap<number, boolean>;
  /** Keys looked up, with their latest answer. */
  readonly lookups: ReadonlyMap<string, LookupResult>;
}

/** The questions of one round; each set is asked at once (lookups first: they add ids to read). */
export interface RecordNeeds {
  reads: Set<number>;
  lookups: Set<string>;
  /** Keys whose cached id is gone: forget the cached answer and search again. */
  relookups: Set<string>;
}

export function noNeeds(): RecordNeeds {
  return { reads: new Set(), lookups: new Set(), relookups: new Set() };
}

export function hasNeeds(needs: RecordNeeds): boolean {
  return needs.reads.size + needs.lookups.size + needs.relookups.size > 0;
}

/** Adds what `row` still needs to `needs`: nothing once a rule's record is known to exist, or every rule is spent. */
export function addRowNeeds(
  needs: RecordNeeds,
  row: Row,
  rules: readonly MatchRule[],
  entity: EntityKind,
  known: RecordKnowledge,
): void {
  const lookupBy = entity === 'company' ? 'domain' : 'email';
  for (const rule of rules) {
    const raw = row[rule.column];
    if (raw === null || raw === undefined) continue;
    if (rule.by === 'entityId') {
      const id = idOf(raw);
      if (id === null) continue;
      const exists = known.read.get(id);
      if (exists === undefined) needs.reads.add(id);
      if (exists !== false) return;
      continue;
    }
    if (rule.by !== lookupBy || typeof raw !== 'string') continue;
    const key = entityKey(entity, raw);
    if (key === null) continue;
    if (lookupStep(needs, key, known)) return;
  }
}

// One lookup rule's key: true when the walk stops here (a need was added, or its record exists).
function lookupStep(needs: RecordNeeds, key: string, known: RecordKnowledge): boolean {
  const result = known.lookups.get(key);
  if (result === undefined) {
    needs.lookups.add(key);
    return true;
  }
  switch (result.kind) {
    case 'found': {
      const exists = known.read.get(result.id);
      if (exists === undefined) needs.reads.add(result.id);
      else if (!exists && result.cached) needs.relookups.add(key);
      // A fresh answer whose id is gone anyway: the next rule gets its chance.
      return exists !== false || result.cached;
    }
    case 'ambiguous': {
      // The candidates are read so the index itself reports the ambiguity, as on a list.
      const unread = result.ids.filter((id) => !known.read.has(id));
      for (const id of unread) needs.reads.add(id);
      return unread.length > 0;
    }
    case 'missing':
    case 'failed':
      return false;
    default: {
      const never: never = result;
      return never;
    }
  }
}
