import { z } from 'zod';
import { sourceConfigSchema } from '../sources/source-config.js';
import { createSettingsProblems, createSettingsShape, fieldOptionsSchema } from './create-settings.js';
import { cronProblem } from './cron.js';
import { describeInput, expected, isFromEnvironment } from './describe-input.js';
import { expectSchema, tolerateSchema } from './health-schema.js';
import { type EntityTarget, entityTargets, matchKinds, matchRuleProblem } from './match-rules.js';
import { syncSettingsProblem, syncSettingsShape } from './sync-settings.js';

// The mapping format: one schema is the source of truth for the type, the defaults and the messages
// a person reads (each schema carries its own "expected …, found …" error map). Objects are strict:
// a misspelt key must not pass silently.

/** Whether Intl knows `zone` (IANA names such as "America/Los_Angeles", and "UTC"). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const nameSchema = z
  .string({ error: expected('a name of lowercase letters, digits and dashes, like "portfolio-metrics"') })
  .regex(/^[a-z0-9-]+$/)
  .meta({ description: 'Unique across the mappings folder: lowercase letters, digits and dashes.' });

const cronSchema = z
  .string({ error: expected('a cron expression like "0 2 * * *"') })
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem === null) return;
    // The detail quotes the expression; one read from the environment is described, not echoed.
    const message = isFromEnvironment(value)
      ? `expected a cron expression of 5 or 6 fields, found ${describeInput(value)}`
      : problem;
    ctx.addIssue({ code: 'custom', message });
  })
  .meta({
    description:
      'Cron as BullMQ reads it (cron-parser): 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first), e.g. "0 2 * * *"; also @daily-style macros, H, L and #.',
  });

const timezoneSchema = z
  .string({ error: expected('an IANA time zone like "America/Los_Angeles" or "UTC"') })
  .refine(isTimeZone, { error: expected('an IANA time zone like "America/Los_Angeles" or "UTC"') })
  .meta({ description: 'IANA time zone the cron reads in, e.g. "America/Los_Angeles". Default UTC.' });

export const scheduleSchema = z
  .strictObject(
    {
      /** 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first). */
      cron: cronSchema,
      /** IANA time zone the cron reads in. @defaultValue "UTC" */
      timezone: timezoneSchema.default('UTC'),
    },
    { error: expected('a mapping with cron and timezone') },
  )
  .meta({ description: 'When the worker runs this mapping; leave out to run on demand only.' });

export const matchRuleSchema = z.strictObject(
  {
    /** Result column holding the key. */
    column: z
      .string({ error: expected('a column name of the query') })
      .min(1)
      .meta({ description: 'Result column holding the key.' }),
    /** entityId: the company/person/opportunity id; listEntryId: the list entry id; domain: a company domain; email: a person's address. */
    by: z
      .enum(matchKinds, {
        error: expected('one of entityId, listEntryId, domain, email'),
      })
      .meta({
        description:
          'entityId: company/person/opportunity id; listEntryId: list entry id (lists only); domain: company domain (company lists, target companies); email: person e-mail address (person lists, target persons).',
      }),
  },
  { error: expected('a match rule like {column: company_id, by: entityId}') },
);

const fieldRefMessage = 'a field id like "field-123" or a field name';
const fieldRefSchema = z
  .string({ error: expected(fieldRefMessage) })
  .trim()
  .min(1)
  .meta({
    description:
      'Affinity field id ("field-123", "affinity-data-…") or field name on the list (case-insensitive).',
  });

export const fieldTargetSchema = z.strictObject(
  {
    /** Affinity field id ("field-123", "affinity-data-…") or field name on the list (case-insensitive). */
    field: fieldRefSchema,
    /** What a null in the column does: skip leaves Affinity's value, clear empties it. @defaultValue "skip" */
    onNull: z
      .enum(['skip', 'clear'], { error: expected('skip or clear') })
      .default('skip')
      .meta({
        description:
          "What a null in the column does: skip leaves Affinity's value, clear empties it. Default skip.",
      }),
    /** Dropdowns: reject an unknown option text, or create the option (see create-settings.ts). @defaultValue "reject" */
    options: fieldOptionsSchema,
  },
  { error: expected(`{field, onNull}`) },
);

// The source configs' own schemas, with a sentence for a missing or mistyped `source:`; a bad `type`
// is left to the parse-level map, which names the types.
const sourceSchema = z.discriminatedUnion('type', sourceConfigSchema.options, {
  error: (issue) =>
    typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input)
      ? undefined
      : expected('a source like {type: postgres, url, query}')(issue),
});

/** A `fields:` value: the short form (id or name) or `{field, onNull}`; both come out as the long form. */
export const fieldValueSchema = z.union(
  [fieldRefSchema.transform((field) => ({ field, onNull: 'skip' as const })), fieldTargetSchema],
  { error: expected(`${fieldRefMessage} (or {field, onNull})`) },
);

export const mappingSchema = z
  .strictObject(
    {
      /** Unique across the mappings folder; lowercase letters, digits and dashes. */
      name: nameSchema,
      /** When the worker runs it; none means on demand only. */
      schedule: scheduleSchema.optional(),
      /** Where rows come from: postgres, snowflake or duckdb (see src/sources/source-config.ts). */
      source: sourceSchema,
      /** Affinity list id: write fields of the list's entries. Exactly one of list and target. */
      list: z
        .number({ error: expected('an Affinity list id (a positive whole number)') })
        .int()
        .positive()
        .optional()
        .meta({
          description:
            "Affinity list id: write fields of the list's entries. Exactly one of list and target.",
        }),
      /** companies / persons: write the global fields of companies or persons themselves. Exactly one of list and target. */
      target: z
        .enum(entityTargets, { error: expected('companies or persons') })
        .optional()
        .meta({
          description:
            'companies or persons: write global fields of the companies or persons themselves, on or off any list. Exactly one of list and target.',
        }),
      /** Ordered rules; the first one that finds a list entry wins. */
      match: z
        .array(matchRuleSchema, {
          error: expected('a list of match rules like {column: company_id, by: entityId}'),
        })
        .min(1, {
          error: 'expected at least one match rule like {column: company_id, by: entityId}, found none',
        })
        .meta({ description: 'Ordered rules finding the list entry of a row; the first that hits wins.' }),
      /** Source column → Affinity field. */
      fields: z
        .record(z.string(), fieldValueSchema, { error: expected('a mapping of column: field') })
        .refine((fields) => Object.keys(fields).length > 0, {
          error: 'expected at least one column: field entry, found none',
        })
        .meta({ description: 'Source column → Affinity field id or name, or {field, onNull}.' }),
      /** diff: send only values that differ from Affinity's; overwrite: send every mapped value. @defaultValue "diff" */
      mode: z
        .enum(['diff', 'overwrite'], { error: expected('diff or overwrite') })
        .default('diff')
        .meta({
          description:
            "diff: send only values that differ from Affinity's; overwrite: send every mapped value. Default diff.",
        }),
      /** Rejected values and failed entries a run may have and still succeed (with warnings). @defaultValue none tolerated */
      tolerate: tolerateSchema.optional(),
      /** What the run must find before writing (rows, matched share); else it fails before any write. */
      expect: expectSchema.optional(),
      /** Opt-in creation: onUnmatched, onUnknownCompany, companyName, maxCreates (create-settings.ts). */
      ...createSettingsShape,
      /** How current values are read: sync, reconcileEvery (sync-settings.ts). */
      ...syncSettingsShape,
    },
    { error: expected('a mapping with name, source, list, match and fields') },
  )
  .superRefine(checkDestination)
  .superRefine((mapping, ctx) => {
    const problem = syncSettingsProblem(mapping);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['sync'], message: problem });
  })
  .superRefine((mapping, ctx) => {
    for (const { path, message } of createSettingsProblems(mapping))
      ctx.addIssue({ code: 'custom', path, message });
  })
  .meta({
    title: 'affinity-sync mapping',
    description:
      'One sync: a warehouse query, an Affinity list (or companies / persons), match rules and column → field.',
    // Editors learn "exactly one of list and target"; validate says it in words.
    oneOf: [{ required: ['list'] }, { required: ['target'] }],
  });

type MappingShape = {
  list?: number | undefined;
  target?: EntityTarget | undefined;
  match: ReadonlyArray<{ by: (typeof matchKinds)[number] }>;
};

// Exactly one destination, and match rules that can work there (a list's own type is checked by --remote).
function checkDestination(mapping: MappingShape, ctx: z.RefinementCtx): void {
  const { list, target } = mapping;
  if (list !== undefined && target !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['target'],
      message: `give either list (the entries of list ${list}) or target (${target} themselves), not both`,
    });
    return;
  }
  if (list === undefined && target === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['list'],
      message:
        'expected an Affinity list id (list: 12345) or target: companies | persons (their global fields); neither is given',
    });
    return;
  }
  if (target !== undefined) {
    mapping.match.forEach((rule, index) => {
      const problem = matchRuleProblem({ target }, rule.by);
      if (problem !== null) ctx.addIssue({ code: 'custom', path: ['match', index, 'by'], message: problem });
    });
    return;
  }
  // No list takes both: domain is for company lists, email for person lists.
  const domain = mapping.match.findIndex((r) => r.by === 'domain');
  const email = mapping.match.findIndex((r) => r.by === 'email');
  if (domain >= 0 && email >= 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['match', Math.max(domain, email), 'by'],
      message: `a list holds companies or persons, not both: domain (match[${domain}]) matches on company lists, email (match[${email}]) on person lists`,
    });
  }
}

/** A mapping as the rest of the program sees it: defaults filled, field targets in the long form. */
export type Mapping = z.infer<typeof mappingSchema>;
/** A mapping as written in YAML (after `${VAR}` interpolation). */
export type MappingInput = z.input<typeof mappingSchema>;
export type MatchRule = Mapping['match'][number];
export type FieldTarget = Mapping['fields'][string];

/** Where a mapping writes: the entries of one list, or companies' / persons' own fields. */
export type Destination = { kind: 'list'; listId: number } | { kind: EntityTarget };

/** The destination of a parsed mapping (the schema guarantees exactly one of list and target). */
export function destinationOf(mapping: Pick<Mapping, 'list' | 'target'>): Destination {
  if (mapping.list !== undefined) return { kind: 'list', listId: mapping.list };
  if (mapping.target !== undefined) return { kind: mapping.target };
  throw new Error('a mapping has neither list nor target; it was not parsed by mappingSchema');
}
