import type { Row } from '../../sources/source.js';
import type { EntityLookup, LookupResult } from '../entity-lookup.js';
import { EntryIndex } from '../entry-index.js';
import type { MappedField } from '../plan-row.js';
import { addRowNeeds, hasNeeds, noNeeds, type RecordNeeds } from '../record-needs.js';
import { failureText } from '../run-failure.js';
import type { RecordTarget } from '../target.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import { checkpoint, type RunContext } from './run-context.js';

/** What a target run knows of its records: the index to plan rows against, and the keys behind each id. */
export interface ResolvedRecords {
  index: EntryIndex;
  /** Looked-up keys (domains, addresses) by the id they resolved to, to forget if a write finds it gone. */
  keysById: Map<number, string[]>;
}

/**
 * Phase 4 of a target run: the records the rows can match, read by id (≤100 per request) with the
 * mapped fields' values, after looking up (cached) the domains or addresses rules need. Rounds
 * repeat only for what a round revealed: an id that is gone sends its row to the next rule, and a
 * cached lookup whose id is gone is searched again.
 */
export async function resolveRecords(
  run: RunContext,
  target: RecordTarget,
  lookup: EntityLookup,
  rows: readonly Row[],
  fields: MappedField[],
): Promise<PhaseOutcome<ResolvedRecords>> {
  run.progress.phase = 'scanning';
  const fieldIds = [...new Set(fields.map((f) => f.field.fieldId))];
  const index = new EntryIndex();
  const read = new Map<number, boolean>();
  const lookups = new Map<string, LookupResult>();
  const needsOf = (): RecordNeeds => {
    const needs = noNeeds();
    for (const row of rows) addRowNeeds(needs, row, run.mapping.match, target.entity, { read, lookups });
    return needs;
  };
  // Each round settles every row it can; a row needs at most a read and a lookup per rule.
  const rounds = 2 * run.mapping.match.length + 2;
  for (let round = 0; round < rounds; round++) {
    let needs = needsOf();
    if (!hasNeeds(needs)) break;
    if (needs.relookups.size > 0) {
      await lookup.forget(target.entity, needs.relookups);
      for (const key of needs.relookups) lookups.delete(key);
    }
    const keys = [...needs.lookups, ...needs.relookups];
    if (keys.length > 0) {
      for (const [key, result] of await lookup.resolve(target.entity, keys)) {
        lookups.set(key, result);
        if (result.kind === 'failed') run.problems.add(lookupFailure(target, key, result.reason));
      }
      needs = needsOf();
    }
    if (needs.reads.size === 0) continue;
    const ids = [...needs.reads];
    for await (const page of target.readRecords(ids, fieldIds)) {
      for (const record of page) {
        index.add(record);
        read.set(record.id, true);
      }
      run.progress.entriesScanned = index.size;
      if (checkpoint(run)) return stop(failureText('interrupted before writing', run.mapping.name));
    }
    for (const id of ids) if (!read.has(id)) read.set(id, false);
  }
  run.log.info({ records: index.size, searches: lookup.searches, fields: fieldIds.length }, 'records read');
  return succeed({ index, keysById: keysById(lookups) });
}

function keysById(lookups: ReadonlyMap<string, LookupResult>): Map<number, string[]> {
  const byId = new Map<number, string[]>();
  for (const [key, result] of lookups) {
    if (result.kind !== 'found') continue;
    const keys = byId.get(result.id);
    if (keys === undefined) byId.set(result.id, [key]);
    else keys.push(key);
  }
  return byId;
}

function lookupFailure(target: RecordTarget, key: string, reason: string) {
  const what =
    target.entity === 'company' ? `the company with domain ${key}` : `the person with address ${key}`;
  return {
    code: 'unmatched' as const,
    key,
    reason: `could not look up ${what}: ${reason}; its rows are not written, and the next run looks again`,
  };
}
