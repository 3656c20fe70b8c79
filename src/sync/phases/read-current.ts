import { type CurrentValues, ReadInterrupted, readCurrentValues } from '../incremental/incremental-read.js';
import { IncrementalState } from '../incremental/incremental-state.js';
import type { MappedField } from '../plan-row.js';
import { failureText } from '../run-failure.js';
import type { SyncDependencies } from '../sync-options.js';
import type { Target } from '../target.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import { checkpoint, type RunContext } from './run-context.js';

/**
 * Phase 3: the current values of the mapped fields, in an index by entity id, list entry id and
 * domain. `sync: live` reads the whole target; `sync: incremental` uses the kept state and the
 * entries Affinity's change feed flags, or reconciles (src/sync/incremental/incremental-read.ts).
 */
export async function readCurrent(
  run: RunContext,
  target: Target,
  fields: MappedField[],
  deps: Pick<SyncDependencies, 'client' | 'state'> & { listId: number },
): Promise<PhaseOutcome<CurrentValues>> {
  const { client, state, listId } = deps;
  run.progress.phase = 'scanning';
  const fieldIds = [...new Set(fields.map((f) => f.field.fieldId))];
  try {
    const values = await readCurrentValues({
      client,
      state: state === undefined ? null : new IncrementalState(state, run.mapping.name),
      mapping: run.mapping,
      listId,
      fields: fields.map((f) => ({
        fieldId: f.field.fieldId,
        valueType: f.field.valueType,
        kind: f.entityOwned ? 'global' : 'list',
      })),
      mode: run.mode,
      full: run.options.full ?? false,
      dryRun: run.dryRun,
      scan: () => target.readCurrent(fieldIds),
      log: run.log,
      checkpoint: (entries) => {
        run.progress.entriesScanned = entries;
        return checkpoint(run);
      },
    });
    run.progress.entriesScanned = values.index.size;
    run.log.info(
      { entries: values.index.size, fields: fieldIds.length, sync: values.info.kind },
      'current values read',
    );
    return succeed(values);
  } catch (caught) {
    if (caught instanceof ReadInterrupted) return stop(failureText(caught.message, run.mapping.name));
    throw caught;
  }
}
