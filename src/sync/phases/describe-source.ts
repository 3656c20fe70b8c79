import { ConfigError } from '../../mappings/config-error.js';
import { checkColumns } from '../../mappings/remote-check.js';
import type { ColumnInfo, Source } from '../../sources/source.js';
import type { MappedField } from '../plan-row.js';
import { type PhaseOutcome, succeed } from './phase-outcome.js';
import { configProblem } from './resolve-fields.js';
import type { RunContext } from './run-context.js';

/**
 * Phase 2: the source's columns, asked before the target is read. `validate --remote`'s column
 * checks (checkColumns): a mapped column missing from the query, or of a type that cannot convert
 * to its field's, throws ConfigError (exit 2, the same messages) before anything is read or written.
 */
export async function describeSource(
  run: RunContext,
  source: Source,
  fields: MappedField[],
): Promise<PhaseOutcome<ColumnInfo[]>> {
  const columns = await source.describe();
  const checked = checkColumns(
    run.mapping,
    fields.map((f) => f.field),
    columns,
  );
  if (checked.problems.length > 0) {
    throw new ConfigError(checked.problems.map((p) => configProblem(run.options, p)));
  }
  for (const note of checked.notes) run.log.debug({ path: note.path }, note.message);
  return succeed(columns);
}
