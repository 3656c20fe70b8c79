import { missingColumns } from '../../sources/missing-columns.js';
import type { ColumnInfo, Source } from '../../sources/source.js';
import type { MappedField } from '../plan-row.js';
import { failureText } from '../run-failure.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import type { RunContext } from './run-context.js';

/**
 * Phase 2: the source's columns, asked before the target is read, so a mapped column missing from
 * the query stops the run before anything is read or written.
 */
export async function describeSource(
  run: RunContext,
  source: Source,
  fields: MappedField[],
): Promise<PhaseOutcome<ColumnInfo[]>> {
  const { mapping } = run;
  const columns = await source.describe();
  const required = [
    ...mapping.match.map((m) => m.column),
    ...fields.map((f) => f.field.column),
    ...(mapping.companyName === undefined ? [] : [mapping.companyName]),
  ];
  const missing = missingColumns(columns, required);
  if (missing.length === 0) return succeed(columns);
  return stop(
    failureText(
      `mapping "${mapping.name}": the query returns no column ${missing.map((c) => `"${c}"`).join(', ')} ` +
        `(columns: ${columns.map((c) => c.name).join(', ')}); add it to the query or remove it from the mapping`,
      mapping.name,
    ),
  );
}
