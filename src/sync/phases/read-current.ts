import { EntryIndex } from '../entry-index.js';
import type { MappedField } from '../plan-row.js';
import { failureText } from '../run-failure.js';
import type { Target } from '../target.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import { checkpoint, type RunContext } from './run-context.js';

/**
 * Phase 3: the current values of the mapped fields, read once into an index by entity id, list
 * entry id and domain. Today a full read of the target; an incremental strategy fits here.
 */
export async function readCurrent(
  run: RunContext,
  target: Target,
  fields: MappedField[],
): Promise<PhaseOutcome<EntryIndex>> {
  run.progress.phase = 'scanning';
  const index = new EntryIndex();
  const fieldIds = [...new Set(fields.map((f) => f.field.fieldId))];
  for await (const page of target.readCurrent(fieldIds)) {
    for (const entry of page) index.add(entry);
    run.progress.entriesScanned = index.size;
    if (checkpoint(run)) return stop(failureText('interrupted before writing', run.mapping.name));
  }
  run.log.info({ entries: index.size, fields: fieldIds.length }, 'list scanned');
  return succeed(index);
}
