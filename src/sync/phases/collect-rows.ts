import type { Row, Source } from '../../sources/source.js';
import type { MappedField } from '../plan-row.js';
import { failureText } from '../run-failure.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import { checkpoint, type RunContext } from './run-context.js';

/** Rows between two progress reports and abort checks (a power of two: a mask test). */
const rowsPerCheckpoint = 1024;

/**
 * Phase 3 of a target run: the rows, kept (only their match and mapped columns), because which
 * companies or persons to read is known only once every row's keys are: a target is never scanned.
 * Rows are counted when they are planned (plan-rows), not here.
 */
export async function collectRows(
  run: RunContext,
  source: Source,
  fields: MappedField[],
): Promise<PhaseOutcome<Row[]>> {
  run.progress.phase = 'reading';
  const columns = [
    ...new Set([...run.mapping.match.map((m) => m.column), ...fields.map((f) => f.field.column)]),
  ];
  const rows: Row[] = [];
  for await (const row of source.rows()) {
    const kept: Row = {};
    for (const column of columns) kept[column] = row[column] ?? null;
    rows.push(kept);
    run.progress.rowsRead = rows.length;
    if ((rows.length & (rowsPerCheckpoint - 1)) === 0 && checkpoint(run)) {
      return stop(failureText('interrupted before writing', run.mapping.name));
    }
  }
  return succeed(rows);
}
