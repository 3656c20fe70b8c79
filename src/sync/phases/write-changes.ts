import { setTimeout as sleep } from 'node:timers/promises';
import { describeChanges, type OptionsByColumn, optionsByColumn } from '../describe-change.js';
import type { MappedField } from '../plan-row.js';
import { failureText } from '../run-failure.js';
import type { Target } from '../target.js';
import { updateBatches } from '../update-batches.js';
import { type EntryResult, type WriteOutcome, writeEntries } from '../write-entries.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import type { EntryChanges } from './plan-rows.js';
import type { RunContext } from './run-context.js';

/** PATCH requests in flight when the caller does not say. */
const defaultConcurrency = 8;
/** Pause before entries that failed transiently are tried once more, ms, when the caller does not say. */
export const defaultTransientRetryDelayMs = 10_000;

/**
 * Phase 5: write each entry's changes (≤100 updates per request, `concurrency` in flight), and
 * record the fields each write landed as changes. A dry run writes nothing and records what it
 * would write. A refused key, the quota reserve, a limiter outage or an abort stops the run; one
 * entry's 400/422 fails only that entry. Entries that failed for a transient reason (5xx, network,
 * timeout, after the transport's own retries) are tried once more after a longer pause.
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
  // Fields of each entry already written (and recorded as changes) by an earlier pass.
  const done = new Map<number, number>();
  const pass = (jobs: EntryChanges[], first: boolean) =>
    writeEntries({
      target,
      concurrency: run.options.concurrency ?? defaultConcurrency,
      ...(run.options.signal ? { signal: run.options.signal } : {}),
      jobs: jobs.map((w) => ({
        entryId: w.entry.listEntryId,
        batches: updateBatches(w.changed.slice(done.get(w.entry.listEntryId) ?? 0).map((c) => c.update)),
      })),
      onEntryDone: (result) => {
        if (first) run.progress.entriesWritten += 1;
        run.tell();
        const origin = origins.get(result.entryId);
        const from = done.get(result.entryId) ?? 0;
        done.set(result.entryId, from + result.fieldsWritten);
        // Batches go in order, so the fields written are the next `fieldsWritten` changes.
        if (origin)
          run.changes.record(
            describeChanges(origin.entry, origin.changed.slice(from, from + result.fieldsWritten), options),
          );
      },
    });
  const outcome = await retryTransient(run, await pass(writes, true), (entryIds) =>
    pass(
      entryIds.map((id) => origins.get(id)!),
      false,
    ),
  );
  for (const result of outcome.results) tallyResult(run, result, origins.get(result.entryId), done);
  return outcome.fatal === undefined
    ? succeed(undefined)
    : stop(failureText(outcome.fatal, run.mapping.name));
}

/**
 * The entries of a finished pass that failed transiently, written once more after the pause; each
 * entry's last result is kept. Nothing is retried after a stop (refused key, quota, abort).
 */
async function retryTransient(
  run: RunContext,
  first: WriteOutcome,
  again: (entryIds: number[]) => Promise<WriteOutcome>,
): Promise<WriteOutcome> {
  const transient = first.results.filter((r) => !r.ok && r.transient).map((r) => r.entryId);
  if (first.fatal !== undefined || transient.length === 0) return first;
  const delayMs = run.options.transientRetryDelayMs ?? defaultTransientRetryDelayMs;
  run.tally.transient.retried = transient.length;
  run.log.warn(
    { entries: transient.length, delayMs },
    'entries failed for a transient reason; trying them once more after a pause',
  );
  try {
    await sleep(delayMs, undefined, run.options.signal ? { signal: run.options.signal } : {});
  } catch {
    return { ...first, fatal: 'interrupted: requests in flight finished, the rest was not sent' };
  }
  const second = await again(transient);
  const last = new Map(second.results.map((r) => [r.entryId, r]));
  const results = first.results.map((r) => last.get(r.entryId) ?? r);
  run.tally.transient.failed = results.filter((r) => !r.ok && r.transient).length;
  return second.fatal === undefined ? { results } : { results, fatal: second.fatal };
}

function tallyResult(
  run: RunContext,
  result: EntryResult,
  origin: EntryChanges | undefined,
  done: Map<number, number>,
): void {
  const { entries, fields } = run.tally;
  fields.written += done.get(result.entryId) ?? result.fieldsWritten;
  if (result.ok) {
    entries.updated += 1;
    return;
  }
  entries.failed += 1;
  run.problems.add({
    code: result.transient ? 'entry-failed-transient' : 'entry-failed',
    ...(origin ? { row: origin.row, key: origin.key } : {}),
    entryId: result.entryId,
    reason: result.transient ? `${result.reason} (also after a retry at the end of the run)` : result.reason,
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
