import { ConfigError, type ConfigProblem } from '../../mappings/config-error.js';
import { type ResolvedField, resolveFields } from '../../mappings/resolve-fields.js';
import type { FieldTarget } from '../convert-value.js';
import type { MappedField } from '../plan-row.js';
import type { SyncOptions } from '../sync-options.js';
import type { Target } from '../target.js';
import { type PhaseOutcome, succeed } from './phase-outcome.js';
import type { RunContext } from './run-context.js';

/**
 * Phase 1: the mapped columns → the target's fields, with dropdown options loaded. Throws
 * ConfigError (every problem at its file:line) when a field or the target cannot be found.
 */
export async function resolveMappedFields(
  run: RunContext,
  target: Target,
): Promise<PhaseOutcome<MappedField[]>> {
  const described = await target.describeFields();
  if (!described.ok) throw new ConfigError([configProblem(run.options, described.problem)]);
  const resolved = resolveFields(run.mapping, described.fields);
  if (resolved.problems.length > 0) {
    throw new ConfigError(resolved.problems.map((p) => configProblem(run.options, p)));
  }
  for (const skip of resolved.skipped) {
    run.problems.add({ code: 'skipped-field', column: skip.column, reason: skip.message });
  }
  const mapped: MappedField[] = [];
  const kindOf = new Map(described.fields.map((f) => [f.id, f.type]));
  for (const field of resolved.fields) {
    const fieldTarget: FieldTarget = {
      fieldId: field.fieldId,
      fieldName: field.fieldName,
      valueType: field.valueType,
    };
    if (needsOptions(field)) fieldTarget.dropdownOptions = await target.dropdownOptions(field.fieldId);
    // On a list, a global field's value belongs to the entity, shared by all its entries.
    const entityOwned = kindOf.get(field.fieldId) === 'global';
    mapped.push({ field, target: fieldTarget, ...(entityOwned ? { entityOwned } : {}) });
  }
  return succeed(mapped);
}

/** Whether the field's dropdown options are read (one call, or two through the v1 fallback). */
export function needsOptions(field: Pick<ResolvedField, 'valueType'>): boolean {
  return (
    field.valueType === 'dropdown' ||
    field.valueType === 'ranked-dropdown' ||
    field.valueType === 'dropdown-multi'
  );
}

/** A problem found when asking Affinity, placed at its file:line:column when the file is known. */
export function configProblem(
  options: SyncOptions,
  problem: { path: string; message: string },
): ConfigProblem {
  return { file: options.file ?? options.mapping.name, ...options.locate?.(problem.path), ...problem };
}
