import { z } from 'zod';
import { expected } from './describe-input.js';

// The opt-in creation settings of a mapping: their schema (spread into mapping-schema.ts), the
// rules between them and the match rules, and their defaults. Absent keys mean update-only, so a
// mapping that does not opt in normalizes exactly as before.

/** Creations a run makes at most when the mapping does not say. */
export const defaultMaxCreates = 100;

/** The top-level keys; each optional (update-only when absent). */
export const createSettingsShape = {
  /** report: an unmatched row is a problem; add: its existing entity gets a list entry. @defaultValue "report" */
  onUnmatched: z
    .enum(['report', 'add'], { error: expected('report or add') })
    .optional()
    .meta({
      description:
        'report: an unmatched row is a problem; add: a row whose entity exists but is not on the list gets a list entry, and its fields are written (company and person lists). Default report.',
    }),
  /** report: a domain no company has is a problem; create: the company is created, then added. @defaultValue "report" */
  onUnknownCompany: z
    .enum(['report', 'create'], { error: expected('report or create') })
    .optional()
    .meta({
      description:
        'report: a domain no company has is a problem; create: the company is created (name from companyName, domain from the domain rule), then added to the list. Needs onUnmatched: add. Default report.',
    }),
  /** Result column holding the name of a company onUnknownCompany: create makes. */
  companyName: z
    .string({ error: expected('a column name of the query') })
    .min(1)
    .optional()
    .meta({ description: 'Result column holding the name of each company onUnknownCompany: create makes.' }),
  /** Most creations in one run (list entries added, each with its new company if any; dropdown options). @defaultValue 100 */
  maxCreates: z
    .number({ error: expected('a positive whole number') })
    .int()
    .positive()
    .optional()
    .meta({
      description:
        'Most creations in one run: each list entry added (with the company created for it, if any) and each dropdown option counts one. Past it the run stops creating, reports the rows left and ends partial. Default 100.',
    }),
};

/** The top-level keys that only a list mapping takes. */
export const listOnlyKeys: readonly string[] = Object.keys(createSettingsShape);

/** Per field: what an option text the dropdown does not have does. @defaultValue "reject" */
export const fieldOptionsSchema = z
  .enum(['reject', 'create'], { error: expected('reject or create') })
  .optional()
  .meta({
    description:
      'Dropdown fields: reject reports a text the field has no option for; create makes the option once and uses it for every row naming it. Not for ranked dropdowns. Default reject.',
  });

export type OnUnmatched = 'report' | 'add';
export type OnUnknownCompany = 'report' | 'create';

/** The part of a mapping these rules read (structural, so this file needs no import of the schema). */
export interface CreateSettingsInput {
  /** Set for `target: companies | persons`: there is no list to add to. */
  target?: string | undefined;
  onUnmatched?: OnUnmatched | undefined;
  onUnknownCompany?: OnUnknownCompany | undefined;
  companyName?: string | undefined;
  maxCreates?: number | undefined;
  match: ReadonlyArray<{ column: string; by: string }>;
  fields: Readonly<Record<string, { field: string; options?: 'reject' | 'create' | undefined }>>;
}

/** The settings with defaults filled. `enabled` is false for an update-only mapping. */
export interface CreateSettings {
  onUnmatched: OnUnmatched;
  onUnknownCompany: OnUnknownCompany;
  companyName: string | undefined;
  maxCreates: number;
  /** Columns whose field has `options: create`. */
  optionColumns: string[];
  enabled: boolean;
}

export function createSettingsOf(mapping: CreateSettingsInput): CreateSettings {
  const optionColumns = Object.entries(mapping.fields)
    .filter(([, target]) => target.options === 'create')
    .map(([column]) => column);
  const onUnmatched = mapping.onUnmatched ?? 'report';
  return {
    onUnmatched,
    onUnknownCompany: mapping.onUnknownCompany ?? 'report',
    companyName: mapping.companyName,
    maxCreates: mapping.maxCreates ?? defaultMaxCreates,
    optionColumns,
    enabled: onUnmatched === 'add' || optionColumns.length > 0,
  };
}

/** Match rules that name an entity (a list entry id names an entry that already exists). */
const entityRules = new Set(['entityId', 'domain', 'email']);

/** How the settings fit together and with the match rules: each problem at its key. */
export function createSettingsProblems(
  mapping: CreateSettingsInput,
): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const adds = mapping.onUnmatched === 'add';
  const creates = mapping.onUnknownCompany === 'create';
  if (mapping.target !== undefined) return targetProblems(mapping);
  if (adds && !mapping.match.some((rule) => entityRules.has(rule.by))) {
    problems.push({
      path: ['onUnmatched'],
      message:
        'add needs a match rule by entityId, domain or email to know which entity to add (a listEntryId names an entry that already exists)',
    });
  }
  if (creates && !adds) {
    problems.push({
      path: ['onUnknownCompany'],
      message: 'create adds each company it makes to the list, so it needs onUnmatched: add too',
    });
  }
  if (creates && !mapping.match.some((rule) => rule.by === 'domain')) {
    problems.push({
      path: ['onUnknownCompany'],
      message: "create needs a match rule by domain: the new company gets the row's domain",
    });
  }
  if (creates && mapping.companyName === undefined) {
    problems.push({
      path: ['onUnknownCompany'],
      message:
        "create needs companyName: the result column holding each new company's name (e.g. companyName: company_name)",
    });
  }
  if (!creates && mapping.companyName !== undefined) {
    problems.push({
      path: ['companyName'],
      message: 'only onUnknownCompany: create reads it; set that too, or remove companyName',
    });
  }
  return problems;
}

// Creation adds to a list or makes a list field's options: a target has neither.
function targetProblems(
  mapping: CreateSettingsInput,
): Array<{ path: Array<string | number>; message: string }> {
  const why = `target: ${mapping.target} writes the ${mapping.target}' own fields; there is no list to add to`;
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  if (mapping.onUnmatched === 'add')
    problems.push({ path: ['onUnmatched'], message: `add needs a list: ${why}` });
  if (mapping.onUnknownCompany === 'create')
    problems.push({ path: ['onUnknownCompany'], message: `create needs a list: ${why}` });
  for (const [column, target] of Object.entries(mapping.fields)) {
    if (target.options === 'create') {
      problems.push({
        path: ['fields', column, 'options'],
        message: `options: create makes options of list fields (POST /v2/lists/…/dropdown-options); target: ${mapping.target} has none to make`,
      });
    }
  }
  return problems;
}
