import { z } from 'zod';
import { sourceConfigSchema } from '../sources/source-config.js';
import { cronProblem } from './cron.js';
import { describeInput, expected, isFromEnvironment } from './describe-input.js';
import { expectSchema, tolerateSchema } from './health-schema.js';

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
    /** entityId: the company/person/opportunity id; listEntryId: the list entry id; domain: a company domain. */
    by: z
      .enum(['entityId', 'listEntryId', 'domain'], {
        error: expected('one of entityId, listEntryId, domain'),
      })
      .meta({
        description:
          'entityId: company/person/opportunity id; listEntryId: list entry id; domain: company domain.',
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
      /** Affinity list id. */
      list: z
        .number({ error: expected('an Affinity list id (a positive whole number)') })
        .int()
        .positive()
        .meta({ description: 'Affinity list id.' }),
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
    },
    { error: expected('a mapping with name, source, list, match and fields') },
  )
  .meta({
    title: 'affinity-sync mapping',
    description: 'One sync: a warehouse query, an Affinity list, match rules and column → field.',
  });

/** A mapping as the rest of the program sees it: defaults filled, field targets in the long form. */
export type Mapping = z.infer<typeof mappingSchema>;
/** A mapping as written in YAML (after `${VAR}` interpolation). */
export type MappingInput = z.input<typeof mappingSchema>;
export type MatchRule = Mapping['match'][number];
export type FieldTarget = Mapping['fields'][string];
