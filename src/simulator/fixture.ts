import { z } from 'zod';
import { simFieldKinds, simValueTypes } from './field-model.js';

// The simulator's data file: companies, persons, opportunities, their global fields, and company,
// person and opportunity lists with fields and entries. Values are written as Affinity returns them
// in `value.data` (write shapes are accepted too).

const positiveId = z.number().int().positive();

export const fixtureDropdownOptionSchema = z.strictObject({
  id: positiveId,
  text: z.string().min(1),
  rank: z.number().int().min(0).optional(),
  color: z.string().nullable().optional(),
});

export const fixtureFieldSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  type: z.enum(simFieldKinds),
  valueType: z.enum(simValueTypes),
  enrichmentSource: z.string().nullable().optional(),
  dropdownOptions: z.array(fixtureDropdownOptionSchema).optional(),
  /** Affinity's per-field "track changes" setting: only tracked fields appear in field-value-changes. @defaultValue false */
  trackChanges: z.boolean().optional(),
});

export const fixtureEntrySchema = z.strictObject({
  id: positiveId,
  entityId: positiveId,
  createdAt: z.string().optional(),
  values: z.record(z.string(), z.unknown()).default({}),
});

export const listTypes = ['company', 'person', 'opportunity'] as const;

export const fixtureListSchema = z.strictObject({
  id: positiveId,
  name: z.string().min(1),
  /** Whose entries the list holds: entry `entityId`s are company, person or opportunity ids. */
  type: z.enum(listTypes),
  fields: z.array(fixtureFieldSchema).default([]),
  entries: z.array(fixtureEntrySchema).default([]),
});

export const fixtureCompanySchema = z.strictObject({
  id: positiveId,
  name: z.string().min(1),
  domain: z.string().nullable().optional(),
  domains: z.array(z.string()).optional(),
  /** Values of company fields (`companyFields` or a company list's non-list fields), by field id. */
  values: z.record(z.string(), z.unknown()).optional(),
});

export const fixturePersonSchema = z.strictObject({
  id: positiveId,
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  primaryEmailAddress: z.string().nullable().optional(),
  /** Every address; the primary one is added when missing. */
  emailAddresses: z.array(z.string()).optional(),
  /** Values of person fields (`personFields` or a person list's non-list fields), by field id. */
  values: z.record(z.string(), z.unknown()).optional(),
});

export const fixtureOpportunitySchema = z.strictObject({
  id: positiveId,
  name: z.string().min(1),
  /** The opportunity list it belongs to (an opportunity is on exactly one list). */
  listId: positiveId,
});

export const fixtureSchema = z
  .strictObject({
    companies: z.array(fixtureCompanySchema).default([]),
    persons: z.array(fixturePersonSchema).optional(),
    opportunities: z.array(fixtureOpportunitySchema).optional(),
    /** Global, enriched and relationship-intelligence fields of companies (GET /v2/companies/fields). */
    companyFields: z.array(fixtureFieldSchema).optional(),
    /** The same for persons (GET /v2/persons/fields). */
    personFields: z.array(fixtureFieldSchema).optional(),
    lists: z.array(fixtureListSchema).default([]),
  })
  .superRefine((fixture, ctx) => {
    const companyIds = new Set<number>();
    fixture.companies.forEach((company, i) => {
      if (companyIds.has(company.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['companies', i, 'id'],
          message: `duplicate company id ${company.id}`,
        });
      }
      companyIds.add(company.id);
    });
    const known: KnownEntities = {
      companies: companyIds,
      persons: new Set((fixture.persons ?? []).map((p) => p.id)),
      opportunityList: new Map((fixture.opportunities ?? []).map((o) => [o.id, o.listId])),
    };
    const listIds = new Set<number>();
    const entryIds = new Set<number>();
    fixture.lists.forEach((list, l) => {
      if (listIds.has(list.id)) {
        ctx.addIssue({ code: 'custom', path: ['lists', l, 'id'], message: `duplicate list id ${list.id}` });
      }
      listIds.add(list.id);
      const fieldIds = new Set<string>();
      list.fields.forEach((field, f) => {
        if (fieldIds.has(field.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['lists', l, 'fields', f, 'id'],
            message: `duplicate field id "${field.id}"`,
          });
        }
        fieldIds.add(field.id);
      });
      list.entries.forEach((entry, e) => {
        if (entryIds.has(entry.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['lists', l, 'entries', e, 'id'],
            message: `duplicate list entry id ${entry.id}`,
          });
        }
        entryIds.add(entry.id);
        const missing = missingEntity(known, list, entry.entityId);
        if (missing !== null) {
          ctx.addIssue({ code: 'custom', path: ['lists', l, 'entries', e, 'entityId'], message: missing });
        }
        for (const fieldId of Object.keys(entry.values)) {
          if (!fieldIds.has(fieldId)) {
            ctx.addIssue({
              code: 'custom',
              path: ['lists', l, 'entries', e, 'values', fieldId],
              message: `"${fieldId}" is not a field of list ${list.id}`,
            });
          }
        }
      });
    });
  });

/** Ids an entry may name, by list type: companies, persons, and each opportunity's list. */
interface KnownEntities {
  companies: ReadonlySet<number>;
  persons: ReadonlySet<number>;
  opportunityList: ReadonlyMap<number, number>;
}

// Why an entry's entity is not in the fixture, by the list's type; null when it is.
function missingEntity(
  known: KnownEntities,
  list: { id: number; type: ListType },
  entityId: number,
): string | null {
  switch (list.type) {
    case 'company':
      return known.companies.has(entityId) ? null : `company ${entityId} is not in "companies"`;
    case 'person':
      return known.persons.has(entityId) ? null : `person ${entityId} is not in "persons"`;
    case 'opportunity':
      return known.opportunityList.get(entityId) === list.id
        ? null
        : `opportunity ${entityId} of list ${list.id} is not in "opportunities"`;
    default: {
      const never: never = list.type;
      return never;
    }
  }
}

export type Fixture = z.input<typeof fixtureSchema>;
export type ParsedFixture = z.output<typeof fixtureSchema>;
export type FixtureField = z.output<typeof fixtureFieldSchema>;
export type FixtureDropdownOption = z.output<typeof fixtureDropdownOptionSchema>;
export type FixturePerson = z.output<typeof fixturePersonSchema>;
export type FixtureOpportunity = z.output<typeof fixtureOpportunitySchema>;
export type ListType = (typeof listTypes)[number];

/** A fixture that does not fit the format; the message names every problem and where it is. */
export class FixtureError extends Error {
  override name = 'FixtureError';
}

/** Checks `input` against the fixture format; throws FixtureError naming each problem's path. */
export function parseFixture(input: unknown, source = 'fixture'): ParsedFixture {
  const result = fixtureSchema.safeParse(input);
  if (!result.success) {
    throw new FixtureError(`${source} is not a valid simulator fixture:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** Reads and parses a fixture file (JSON). */
export async function loadFixtureFile(path: string): Promise<ParsedFixture> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FixtureError(`cannot read fixture ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FixtureError(`fixture ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseFixture(json, `fixture ${path}`);
}
