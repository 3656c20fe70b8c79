import { checkCreateTarget } from '../../mappings/check-create-target.js';
import { ConfigError } from '../../mappings/config-error.js';
import { createSettingsOf } from '../../mappings/create-settings.js';
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
  if (!settings.enabled) return succeed(undefined);
  const list = await deps.client.getList(run.mapping.list);
  const problems = checkCreateTarget(
    run.mapping,
    list,
    fields.map((m) => m.field),
  );
  if (problems.length > 0) throw new ConfigError(problems.map((p) => configProblem(run.options, p)));
  if (
    settings.onUnmatched === 'add' &&
    deps.lookup === undefined &&
    run.mapping.match.some((r) => r.by === 'domain')
  ) {
    throw new Error('onUnmatched: add with a domain rule needs the entity lookup (SyncDependencies.lookup)');
  }
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
