import type { Row } from '../../sources/source.js';
import { diffUpdates } from '../diff-updates.js';
import { entityFieldsOnce } from '../entity-fields-once.js';
import type { EntryIndex, IndexedEntry } from '../entry-index.js';
import {
  listWords,
  type MappedField,
  type PlannedUpdate,
  planRow,
  type RecordWords,
  type RowPlan,
} from '../plan-row.js';
import type { Problem } from '../problem.js';
import { failureText } from '../run-failure.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import { checkpoint, type RunContext } from './run-context.js';

/**
 * One entry's updates, already diffed against the values read (which do not change while rows are
 * read): keeping only the changes bounds memory. `row` and `key` are the row that reached it last.
 */
export interface EntryChanges {
  entry: IndexedEntry;
  row: number;
  key: string;
  changed: PlannedUpdate[];
  unchanged: number;
}

/** Told of each matched row: the entries it reached and whether any of them needs a write. */
export type MatchedRowObserver = (entries: readonly IndexedEntry[], changed: boolean) => void;

/** Rows between two progress reports and abort checks (a power of two: a mask test). */
const rowsPerCheckpoint = 1024;

/**
 * Phase 4: stream the rows (a source's, or a target run's kept rows); match, convert and diff
 * each; the later row reaching an entry wins. Hands on the entries that still need a write, in the
 * order rows first reached them. `words` name the records in miss messages.
 */
export async function planRows(
  run: RunContext,
  source: AsyncIterable<Row> | Iterable<Row>,
  index: EntryIndex,
  fields: MappedField[],
  words: RecordWords = listWords,
  /** `onUnmatched: add`: takes an unmatched row (true) to decide after reading; it is not counted yet. */
  hold?: (row: Row, rowNumber: number, problem: Problem) => boolean,
  /** Told of each matched row (incremental sync counts the rows its state made free). */
  onMatched?: MatchedRowObserver,
): Promise<PhaseOutcome<EntryChanges[]>> {
  run.progress.phase = 'reading';
  const { rows } = run.tally;
  const pending = new Map<number, EntryChanges>();
  for await (const row of source) {
    rows.read += 1;
    run.progress.rowsRead = rows.read;
    if ((rows.read & (rowsPerCheckpoint - 1)) === 0 && checkpoint(run)) {
      return stop(failureText('interrupted before writing', run.mapping.name));
    }
    const plan = planRow(row, rows.read, run.mapping.match, index, fields, words);
    if (plan.kind === 'unmatched' && hold?.(row, rows.read, plan.problem)) continue;
    tallyRow(run, pending, plan, words, onMatched);
  }
  return succeed(entriesToWrite(run, pending, fields));
}

/** Counts one row's plan and keeps its diffed updates per entry. */
function tallyRow(
  run: RunContext,
  pending: Map<number, EntryChanges>,
  plan: RowPlan,
  words: RecordWords,
  onMatched?: MatchedRowObserver,
): void {
  const { rows, fields } = run.tally;
  switch (plan.kind) {
    case 'unmatched':
    case 'ambiguous':
      rows[plan.kind] += 1;
      run.problems.add(plan.problem);
      return;
    case 'matched': {
      rows.matched += 1;
      if (plan.rejections.length > 0) rows.rejected += 1;
      fields.rejected += plan.rejections.length;
      run.tally.valuesPlanned += plan.updates.length + plan.rejections.length;
      for (const problem of plan.rejections) run.problems.add(problem);
      let duplicate = false;
      let changedAny = false;
      for (const entry of plan.entries) {
        const earlier = pending.get(entry.listEntryId);
        const { changed, unchanged } = diffUpdates(entry, plan.updates, run.mode);
        const later = { entry, row: rows.read, key: plan.key, changed, unchanged };
        if (changed.length > 0) changedAny = true;
        if (earlier !== undefined) {
          duplicate = true;
          run.problems.add(duplicateProblem(earlier, later, words));
        }
        pending.set(entry.listEntryId, later);
      }
      if (duplicate) rows.duplicate += 1;
      onMatched?.(plan.entries, changedAny);
      return;
    }
    default: {
      const never: never = plan;
      throw new Error(`unexpected plan ${JSON.stringify(never)}`);
    }
  }
}

/** A later row reached an entry an earlier row had reached: the later row's values are the ones kept. */
export function duplicateProblem(
  earlier: EntryChanges,
  later: EntryChanges,
  words: RecordWords = listWords,
): Problem {
  const { entry } = later;
  const name = entry.entityName === undefined ? '' : ` (${entry.entityName})`;
  return {
    code: 'duplicate-row',
    row: later.row,
    key: later.key,
    entryId: entry.listEntryId,
    reason: `also reached by row ${earlier.row} (${earlier.key}): ${words.record} ${entry.listEntryId}${name} gets this later row's values, not row ${earlier.row}'s`,
  };
}

/** The entries with changes (an entity's own fields once per entity); the others are counted unchanged. */
function entriesToWrite(
  run: RunContext,
  pending: Map<number, EntryChanges>,
  mapped: MappedField[],
): EntryChanges[] {
  const { entries, fields } = run.tally;
  const writes: EntryChanges[] = [];
  const owned = new Set(mapped.filter((m) => m.entityOwned).map((m) => m.field.fieldId));
  for (const item of entityFieldsOnce([...pending.values()], (id) => owned.has(id))) {
    fields.unchanged += item.unchanged;
    if (item.changed.length === 0) entries.unchanged += 1;
    else writes.push(item);
  }
  run.progress.entriesToWrite = writes.length;
  run.log.info({ rows: run.tally.rows, entriesToWrite: writes.length }, 'rows read and compared');
  return writes;
}
