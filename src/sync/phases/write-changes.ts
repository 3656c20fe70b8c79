import { describeChanges, type OptionsByColumn, optionsByColumn } from '../describe-change.js';
import type { MappedField } from '../plan-row.js';
import { failureText } from '../run-failure.js';
import type { Target } from '../target.js';
import { updateBatches } from '../update-batches.js';
import { type EntryResult, writeEntries } from '../write-entries.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import type { EntryChanges } from './plan-rows.js';
import type { RunContext } from './run-context.js';

/** PATCH requests in flight when the caller does not say. */
const defaultConcurrency = 8;

/**
 * Phase 5: write each entry's changes (≤100 updates per request, `concurrency` in flight), and
 * record the fields each write landed as changes. A dry run writes nothing and records what it
 * would write. A refused key, the quota reserve, a limiter outage or an abort stops the run; one
 * entry's 400/422 fails only that entry.
 */
export async function writeChanges(
  run: RunContext,
  target: Target,
  fields: MappedField[],
  writes: EntryChanges[],
): Promise<PhaseOutcome<void>> {
  run.progress.phase = 'writing';
  run.tell();
  const options = optionsByColumn(fields);
  if (run.dryRun) {
    planOnly(run, writes, options);
    return succeed(undefined);
  }
  const origins = new Map(writes.map((w) => [w.entry.listEntryId, w]));
  const outcome = await writeEntries({
    target,
    concurrency: run.options.concurrency ?? defaultConcurrency,
    ...(run.options.signal ? { signal: run.options.signal } : {}),
    jobs: writes.map((w) => ({
      entryId: w.entry.listEntryId,
      batches: updateBatches(w.changed.map((c) => c.update)),
    })),
    onEntryDone: (result) => {
      run.progress.entriesWritten += 1;
      run.tell();
      const origin = origins.get(result.entryId);
      // Batches go in order, so the fields written are the first `fieldsWritten` changes.
      if (origin)
        run.changes.record(
          describeChanges(origin.entry, origin.changed.slice(0, result.fieldsWritten), options),
        );
    },
  });
  for (const result of outcome.results) tallyResult(run, result, origins.get(result.entryId));
  return outcome.fatal === undefined
    ? succeed(undefined)
    : stop(failureText(outcome.fatal, run.mapping.name));
}

function tallyResult(run: RunContext, result: EntryResult, origin: EntryChanges | undefined): void {
  const { entries, fields } = run.tally;
  fields.written += result.fieldsWritten;
  if (result.ok) {
    entries.updated += 1;
    return;
  }
  entries.failed += 1;
  run.problems.add({
    code: 'entry-failed',
    ...(origin ? { row: origin.row, key: origin.key } : {}),
    entryId: result.entryId,
    reason: result.reason,
  });
}

/** A dry run: every change it would write is recorded and counted as if written. */
function planOnly(run: RunContext, writes: EntryChanges[], options: OptionsByColumn): void {
  for (const { entry, changed } of writes) {
    run.changes.record(describeChanges(entry, changed, options));
    run.tally.fields.written += changed.length;
  }
  run.tally.entries.updated = writes.length;
}
