import type { DropdownOption } from '../../affinity/schemas.js';
import { displayValue } from '../display-value.js';
import type { IndexedEntry } from '../entry-index.js';
import type { MappedField, PlannedUpdate } from '../plan-row.js';
import type { Change } from '../report.js';
import { failureText } from '../run-failure.js';
import { capShownValue } from '../shown-value-cap.js';
import type { Target } from '../target.js';
import { updateBatches } from '../update-batches.js';
import { type EntryResult, writeEntries } from '../write-entries.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import type { EntryChanges } from './plan-rows.js';
import type { RunContext } from './run-context.js';

/** PATCH requests in flight when the caller does not say. */
const defaultConcurrency = 8;

/**
 * Phase 5: write each entry's changes (≤100 updates per request, `concurrency` in flight). A dry
 * run writes nothing and lists what it would write. A refused key, the quota reserve, a limiter
 * outage or an abort stops the run; one entry's 400/422 fails only that entry.
 */
export async function writeChanges(
  run: RunContext,
  target: Target,
  fields: MappedField[],
  writes: EntryChanges[],
): Promise<PhaseOutcome<void>> {
  run.progress.phase = 'writing';
  run.tell();
  if (run.dryRun) {
    listChanges(run, fields, writes);
    return succeed(undefined);
  }
  const outcome = await writeEntries({
    target,
    concurrency: run.options.concurrency ?? defaultConcurrency,
    ...(run.options.signal ? { signal: run.options.signal } : {}),
    jobs: writes.map((w) => ({
      entryId: w.entry.listEntryId,
      batches: updateBatches(w.changed.map((c) => c.update)),
    })),
    onEntryDone: () => {
      run.progress.entriesWritten += 1;
      run.tell();
    },
  });
  const origins = new Map(writes.map((w) => [w.entry.listEntryId, w]));
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

/** A dry run: every change it would write, before → after as a person reads them. */
function listChanges(run: RunContext, fields: MappedField[], writes: EntryChanges[]): void {
  const optionsOf = new Map(fields.map((m) => [m.field.column, m.target.dropdownOptions]));
  for (const { entry, changed } of writes) {
    for (const planned of changed) {
      run.changes.push(changeOf(entry, planned, optionsOf.get(planned.field.column)));
    }
  }
  run.tally.entries.updated = writes.length;
  run.tally.fields.written = run.changes.length;
}

function changeOf(entry: IndexedEntry, { update, field }: PlannedUpdate, options?: DropdownOption[]): Change {
  return {
    entryId: entry.listEntryId,
    entityId: entry.entityId,
    ...(entry.entityName === undefined ? {} : { entityName: entry.entityName }),
    fieldId: update.id,
    fieldName: field.fieldName,
    before: capShownValue(displayValue(entry.values.get(update.id)?.data, field.valueType, 'read', options)),
    after: capShownValue(displayValue(update.value.data, field.valueType, 'update', options)),
  };
}
