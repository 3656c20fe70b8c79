import type { EntityKind } from '../affinity/entity-schemas.js';
import { destinationOf } from '../mappings/mapping-schema.js';
import type { Source } from '../sources/source.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { EntityLookup } from './entity-lookup.js';
import { entityTarget } from './entity-target.js';
import { listTarget } from './list-target.js';
import { checkPlan } from './phases/check-plan.js';
import { collectRows } from './phases/collect-rows.js';
import { describeSource } from './phases/describe-source.js';
import type { PhaseOutcome } from './phases/phase-outcome.js';
import { type EntryChanges, planRows } from './phases/plan-rows.js';
import { readCurrent } from './phases/read-current.js';
import { reportRun } from './phases/report-run.js';
import { resolveMappedFields } from './phases/resolve-fields.js';
import { resolveRecords } from './phases/resolve-records.js';
import { guarded, type RunContext, startRun } from './phases/run-context.js';
import { writeChanges } from './phases/write-changes.js';
import type { MappedField } from './plan-row.js';
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
  const destination = destinationOf(options.mapping);
  const gone = new Map<number, string[]>();
  let lookup: EntityLookup | undefined;
  let target: Target;
  let plan: (source: Source, fields: MappedField[]) => Promise<PhaseOutcome<EntryChanges[]>>;
  if (destination.kind === 'list') {
    const list = listTarget(deps.client, destination.listId);
    target = list;
    plan = (source, fields) => planList(run, list, source, fields);
  } else {
    const entity: EntityKind = destination.kind === 'companies' ? 'company' : 'person';
    const lookups = deps.lookup ?? inProcessLookup(deps);
    lookup = lookups;
    // A write that finds a looked-up company gone (404) drops the cached lookup: the next run searches again.
    const records = entityTarget(deps.client, entity, (id) => lookups.forget(entity, gone.get(id) ?? []));
    target = records;
    plan = async (source, fields) => {
      const rows = await guarded(run, () => collectRows(run, source, fields));
      if (!rows.ok) return rows;
      const found = await guarded(run, () => resolveRecords(run, records, lookups, rows.value, fields));
      if (!found.ok) return found;
      for (const [id, keys] of found.value.keysById) gone.set(id, keys);
      const words = { record: entity, where: '' };
      return guarded(run, () => planRows(run, rows.value, found.value.index, fields, words));
    };
  }

  const fields = await guarded(run, () => resolveMappedFields(run, target));
  if (!fields.ok) return reportRun(run, fields);

  const source = deps.openSource(options.mapping.source);
  const writes = await closing(source, async () => {
    const columns = await guarded(run, () => describeSource(run, source, fields.value));
    if (!columns.ok) return columns;
    return plan(source, fields.value);
  });
  if (!writes.ok) return reportRun(run, writes);
  const checked = checkPlan(run, writes.value);
  if (!checked.ok) return reportRun(run, checked);

  const written = await guarded(run, () => writeChanges(run, target, fields.value, checked.value));
  if (lookup !== undefined) run.log.info({ searches: lookup.searches }, 'entity lookups sent');
  return reportRun(run, written);
}

/** A list run: read the list once, then stream the rows against it. */
async function planList(
  run: RunContext,
  target: Target,
  source: Source,
  fields: MappedField[],
): Promise<PhaseOutcome<EntryChanges[]>> {
  const current = await guarded(run, () => readCurrent(run, target, fields));
  if (!current.ok) return current;
  return guarded(run, () => planRows(run, source.rows(), current.value, fields));
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
