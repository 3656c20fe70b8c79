import { checkCreateTarget } from '../../mappings/check-create-target.js';
import { ConfigError } from '../../mappings/config-error.js';
import { createSettingsOf } from '../../mappings/create-settings.js';
import { destinationOf } from '../../mappings/mapping-schema.js';
import { type CreateRun, startCreateRun } from '../create-run.js';
import type { MappedField } from '../plan-row.js';
import type { SyncDependencies } from '../sync-options.js';
import { type PhaseOutcome, succeed } from './phase-outcome.js';
import { configProblem } from './resolve-fields.js';
import type { RunContext } from './run-context.js';

/**
 * Phase 1b, for a mapping that opts in to creation: checks what creating needs of the list (its
 * type) and fields (standard dropdowns), and gives each `options: create` field its provisional
 * ids, so rows naming a new option convert while they are read. Update-only mappings skip it.
 */
export async function prepareCreates(
  run: RunContext,
  deps: SyncDependencies,
  fields: MappedField[],
): Promise<PhaseOutcome<CreateRun | undefined>> {
  const settings = createSettingsOf(run.mapping);
  const destination = destinationOf(run.mapping);
  // The schema refuses creation settings on a target: lists are where anything is created.
  if (!settings.enabled || destination.kind !== 'list') return succeed(undefined);
  const list = await deps.client.getList(destination.listId);
  const problems = checkCreateTarget(
    run.mapping,
    list,
    fields.map((m) => m.field),
  );
  if (problems.length > 0) throw new ConfigError(problems.map((p) => configProblem(run.options, p)));
  const checks = run.options.createChecks ?? {};
  const creates = startCreateRun(settings, list, {
    ...checks,
    ...(run.options.signal ? { signal: run.options.signal } : {}),
  });
  for (const m of fields) {
    if (!settings.optionColumns.includes(m.field.column)) continue;
    m.target.newOption = (text) => creates.options.provisional(m.field.fieldId, text);
  }
  run.creates = creates;
  return succeed(creates);
}
