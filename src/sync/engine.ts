import type { FieldUpdate } from '../affinity/field-value.js';
import type { Source } from '../sources/source.js';
import { type CurrentValues, countSkippedRows } from './incremental/incremental-read.js';
import { listTarget } from './list-target.js';
import { describeSource } from './phases/describe-source.js';
import type { PhaseOutcome } from './phases/phase-outcome.js';
import { type EntryChanges, planRows } from './phases/plan-rows.js';
import { readCurrent } from './phases/read-current.js';
import { reportRun } from './phases/report-run.js';
import { resolveMappedFields } from './phases/resolve-fields.js';
import { guarded, startRun } from './phases/run-context.js';
import { writeChanges } from './phases/write-changes.js';
import type { RunReport } from './report.js';
import type { SyncDependencies, SyncOptions } from './sync-options.js';

export type { SyncDependencies, SyncOptions, SyncProgress } from './sync-options.js';

/**
 * One sync run, phase by phase; the first phase that stops ends the run with a failed report.
 * Configuration problems throw ConfigError before any request that writes; every other failure
 * ends in a report with status "failed".
 */
export async function runSync(deps: SyncDependencies, options: SyncOptions): Promise<RunReport> {
  const run = startRun(deps, options);
  const target = listTarget(deps.client, options.mapping.list);

  const fields = await guarded(run, () => resolveMappedFields(run, target));
  if (!fields.ok) return reportRun(run, fields);

  const source = deps.openSource(options.mapping.source);
  let current: CurrentValues | undefined;
  const writes = await closing(source, async () => {
    const columns = await guarded(run, () => describeSource(run, source, fields.value));
    if (!columns.ok) return columns;
    const read = await guarded(run, () => readCurrent(run, target, fields.value, deps));
    if (!read.ok) return read;
    current = read.value;
    const onMatched = countSkippedRows(read.value);
    return guarded(run, () => planRows(run, source, read.value.index, fields.value, onMatched));
  });
  if (!writes.ok || current === undefined) return reportRun(run, writes, current?.info);

  // The kept state follows each write (incremental); it is a no-op for live and dry runs.
  const { session } = current;
  const tracked = session.tracking(target, plannedUpdates(writes.value));
  const written = await guarded(run, () => writeChanges(run, tracked, fields.value, writes.value));
  const finished = await guarded(run, async () => {
    await session.finish(written.ok);
    return written;
  });
  return reportRun(run, finished, current.info);
}

/** Every update each entry gets this run, for the state kept around its writes. */
function plannedUpdates(writes: readonly EntryChanges[]): Map<number, FieldUpdate[]> {
  return new Map(writes.map((w) => [w.entry.listEntryId, w.changed.map((c) => c.update)]));
}

/** Runs the phases that use the source, then closes it (the writes do not need it). */
async function closing<T>(source: Source, phases: () => Promise<PhaseOutcome<T>>): Promise<PhaseOutcome<T>> {
  try {
    return await phases();
  } finally {
    await source.close().catch(() => undefined);
  }
}
