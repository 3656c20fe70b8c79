import type { CreateSettings } from '../mappings/create-settings.js';
import type { Row } from '../sources/source.js';
import { CreateBudget } from './create-budget.js';
import type { CreateWithCheckOptions } from './create-with-check.js';
import type { CreatedSummary, Creation } from './creation.js';
import { OptionCreations } from './option-creations.js';
import type { HeldRow } from './plan-creations.js';
import type { Problem } from './problem.js';

/** Most unmatched rows one run holds for `onUnmatched: add`; past it rows are reported as before. */
export const maxHeldRows = 50_000;

/**
 * One run's creation state, for a mapping that opts in (onUnmatched: add or an options: create
 * field): the settings, the budget every create draws on, the rows held back while reading, new
 * option texts, and what was created — which the report shows even when a later phase fails.
 */
export interface CreateRun {
  readonly settings: CreateSettings;
  readonly list: { id: number; name: string; type: string };
  readonly budget: CreateBudget;
  readonly options: OptionCreations;
  readonly checks: CreateWithCheckOptions;
  /** Unmatched rows with a key naming an entity, up to maxHeldRows. */
  readonly held: HeldRow[];
  readonly records: Creation[];
  readonly summary: CreatedSummary;
}

export function startCreateRun(
  settings: CreateSettings,
  list: CreateRun['list'],
  checks: CreateWithCheckOptions,
): CreateRun {
  return {
    settings,
    list,
    budget: new CreateBudget(settings.maxCreates),
    options: new OptionCreations(),
    checks,
    held: [],
    records: [],
    summary: { entries: [], companies: [], options: [], overLimit: 0, failed: 0 },
  };
}

/** Adds created (or, dry, planned) records and their ids to the run's summary. */
export function recordCreations(run: CreateRun, records: readonly Creation[]): void {
  for (const record of records) {
    run.records.push(record);
    if (record.id === undefined) continue;
    switch (record.kind) {
      case 'list-entry':
        run.summary.entries.push(record.id);
        break;
      case 'company':
        run.summary.companies.push(record.id);
        break;
      case 'dropdown-option':
        run.summary.options.push(record.id);
        break;
      default: {
        const never: never = record.kind;
        throw new Error(`unknown creation ${String(never)}`);
      }
    }
  }
}

/**
 * What planRows asks of an unmatched row under `onUnmatched: add`: held (true) when it has keys and
 * room is left; a row without any key, or past maxHeldRows, is reported as before.
 */
export function holdUnmatched(
  creates: CreateRun | undefined,
): ((row: Row, rowNumber: number, problem: Problem) => boolean) | undefined {
  if (creates === undefined || creates.settings.onUnmatched !== 'add') return undefined;
  return (row, rowNumber, problem) => {
    if (problem.code === 'missing-key' || creates.held.length >= maxHeldRows) return false;
    creates.held.push({ row, rowNumber, problem });
    return true;
  };
}
