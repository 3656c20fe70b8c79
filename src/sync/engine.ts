import type { EntityKind } from '../affinity/entity-schemas.js';
import { destinationOf } from '../mappings/mapping-schema.js';
import type { Source } from '../sources/source.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { holdUnmatched } from './create-run.js';
import { EntityLookup } from './entity-lookup.js';
import { entityTarget } from './entity-target.js';
import type { EntryIndex } from './entry-index.js';
import { type CurrentValues, countSkippedRows } from './incremental/incremental-read.js';
import type { StateSession } from './incremental/state-session.js';
import { listTarget } from './list-target.js';
import { checkPlan } from './phases/check-plan.js';
import { collectRows } from './phases/collect-rows.js';
import { createRecords } from './phases/create-records.js';
import { describeSource } from './phases/describe-source.js';
import { type PhaseOutcome, succeed } from './phases/phase-outcome.js';
import { type EntryChanges, planRows } from './phases/plan-rows.js';
import { prepareCreates } from './phases/prepare-creates.js';
import { readCurrent } from './phases/read-current.js';
import { reportRun } from './phases/report-run.js';
import { resolveMappedFields } from './phases/resolve-fields.js';
import { resolveRecords } from './phases/resolve-records.js';
import { guarded, type RunContext, startRun } from './phases/run-context.js';
import { writeChanges } from './phases/write-changes.js';
import { listWords, type MappedField } from './plan-row.js';
import type { RunReport } from './report.js';
import type { SyncDependencies, SyncOptions } from './sync-options.js';
import type { Target } from './target.js';

export type { SyncDependencies, SyncOptions, SyncProgress } from './sync-options.js';

/**
 * One sync run, phase by phase; the first phase that stops ends the run with a failed report.
 * Configuration problems throw ConfigError before any request that writes; every other failure
 * ends in a report with status "failed".
 */
export async function runSync(deps: SyncDependencies, options: SyncOptions): Promise<RunReport> {
  const run = startRun(deps, options);
  const dest = destinationFor(run, deps, options);

  const fields = await guarded(run, () => resolveMappedFields(run, dest.target));
  if (!fields.ok) return reportRun(run, fields);
  const creates = await guarded(run, () => prepareCreates(run, deps, fields.value));
  if (!creates.ok) return reportRun(run, creates);

  const source = deps.openSource(options.mapping.source);
  const planned = await closing(source, async () => {
    const columns = await guarded(run, () => describeSource(run, source, fields.value));
    if (!columns.ok) return columns;
    return dest.plan(source, fields.value);
  });
  if (!planned.ok) return reportRun(run, planned, dest.current?.info);
  // expect:, the quota forecast and the reserve skip: before anything is created or written.
  const checked = checkPlan(run, planned.value);
  if (!checked.ok) return reportRun(run, checked, dest.current?.info);

  // Opt-in creation, between planning and writing: its new entries are written like the others.
  const creating = creates.value;
  const index = dest.listIndex;
  let writes: PhaseOutcome<EntryChanges[]> = checked;
  if (creating !== undefined && index !== undefined) {
    const withLookup = { ...deps, lookup: deps.lookup ?? inProcessLookup(deps) };
    writes = await guarded(run, () =>
      createRecords(run, withLookup, creating, index, fields.value, checked.value),
    );
  }
  if (!writes.ok) return reportRun(run, writes, dest.current?.info);

  const written = await writeKeepingState(
    run,
    dest.target,
    fields.value,
    writes.value,
    dest.current?.session,
  );
  if (dest.lookup !== undefined) run.log.info({ searches: dest.lookup.searches }, 'entity lookups sent');
  return reportRun(run, written, dest.current?.info);
}

/** Where a run writes and how it plans: a list (scan or incremental state) or companies / persons. */
interface Destination {
  target: Target;
  plan: (source: Source, fields: MappedField[]) => Promise<PhaseOutcome<EntryChanges[]>>;
  lookup?: EntityLookup;
  /** A list run's index, kept for the create phase (opt-in creation works on lists only). */
  listIndex?: EntryIndex;
  /** A list run's current values: how they were read, and the kept state that follows the writes. */
  current?: CurrentValues;
}

function destinationFor(run: RunContext, deps: SyncDependencies, options: SyncOptions): Destination {
  const destination = destinationOf(options.mapping);
  if (destination.kind === 'list') {
    const list = listTarget(deps.client, destination.listId);
    const dest: Destination = {
      target: list,
      plan: async (source, fields) => {
        const planned = await planList(run, deps, destination.listId, list, source, fields);
        if (!planned.ok) return planned;
        dest.listIndex = planned.value.current.index;
        dest.current = planned.value.current;
        return succeed(planned.value.writes);
      },
    };
    return dest;
  }
  const entity: EntityKind = destination.kind === 'companies' ? 'company' : 'person';
  const lookup = deps.lookup ?? inProcessLookup(deps);
  const gone = new Map<number, string[]>();
  // A write that finds a looked-up company gone (404) drops the cached lookup: the next run searches again.
  const records = entityTarget(deps.client, entity, (id) => lookup.forget(entity, gone.get(id) ?? []));
  return {
    target: records,
    lookup,
    plan: async (source, fields) => {
      const rows = await guarded(run, () => collectRows(run, source, fields));
      if (!rows.ok) return rows;
      const found = await guarded(run, () => resolveRecords(run, records, lookup, rows.value, fields));
      if (!found.ok) return found;
      for (const [id, keys] of found.value.keysById) gone.set(id, keys);
      const words = { record: entity, where: '' };
      return guarded(run, () => planRows(run, rows.value, found.value.index, fields, words));
    },
  };
}

/**
 * Phase 5 with sync: incremental's kept state following each write (live and dry runs keep none);
 * the watermark moves only when the run finished (its writes stopped by nothing fatal).
 */
async function writeKeepingState(
  run: RunContext,
  target: Target,
  fields: MappedField[],
  ready: EntryChanges[],
  session: StateSession | undefined,
): Promise<PhaseOutcome<void>> {
  if (session === undefined) return guarded(run, () => writeChanges(run, target, fields, ready));
  const planned = new Map(ready.map((w) => [w.entry.listEntryId, w.changed.map((c) => c.update)]));
  const writer = session.tracking(target, planned);
  const written = await guarded(run, () => writeChanges(run, writer, fields, ready));
  return guarded(run, async () => {
    await session.finish(written.ok);
    return written;
  });
}

/**
 * A list run: the current values (a scan, or sync: incremental's state and change feed), then
 * stream the rows against them (holding unmatched ones to add).
 */
async function planList(
  run: RunContext,
  deps: SyncDependencies,
  listId: number,
  target: Target,
  source: Source,
  fields: MappedField[],
): Promise<PhaseOutcome<{ current: CurrentValues; writes: EntryChanges[] }>> {
  const current = await guarded(run, () => readCurrent(run, target, fields, { ...deps, listId }));
  if (!current.ok) return current;
  const hold = holdUnmatched(run.creates);
  const onMatched = countSkippedRows(current.value);
  const writes = await guarded(run, () =>
    planRows(run, source.rows(), current.value.index, fields, listWords, hold, onMatched),
  );
  return writes.ok ? succeed({ current: current.value, writes: writes.value }) : writes;
}

// Callers that pass no lookup (tests, tools) get one whose cache lives as long as this run.
function inProcessLookup(deps: SyncDependencies): EntityLookup {
  return new EntityLookup({
    client: deps.client,
    state: new MemoryStateStore(),
    apiKey: 'in-process',
    logger: deps.logger,
  });
}

/** Runs the phases that use the source, then closes it (the writes do not need it). */
async function closing<T>(source: Source, phases: () => Promise<PhaseOutcome<T>>): Promise<PhaseOutcome<T>> {
  try {
    return await phases();
  } finally {
    await source.close().catch(() => undefined);
  }
}
