import { z } from 'zod';
import { fieldMetadataSchema, fieldSchema, pagedSchema } from './schemas.js';

// Shapes of companies and persons as affinity-sync reads them from the 2026-07-15 endpoints
// (GET /v2/{companies,persons}?ids=…, POST /v2/{companies,persons}/search) and v1 ?term= search.
// Loose and forgiving: every key the client does not need is optional.

/** A list that may be absent or null: read as empty. */
const listOf = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);

/** Entities with fields of their own: GET /v2/{companies|persons}/fields, PATCH /v2/…/{id}/fields. */
export type EntityKind = 'company' | 'person';

/** A Company or a Person: the keys the sync reads of either (absent ones default to empty). */
export const entityRecordSchema = z.looseObject({
  id: z.number().int(),
  name: z.string().optional(),
  domain: z.string().nullable().optional(),
  domains: listOf(z.string()),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  primaryEmailAddress: z.string().nullable().optional(),
  emailAddresses: listOf(z.string()),
  fields: listOf(fieldSchema),
});
export type EntityRecord = z.infer<typeof entityRecordSchema>;

/** Every response body the entity calls parse (the sample-based tests parse through these). */
export const entityResponseSchemas = {
  /** GET /v2/{companies|persons}/fields (FieldMetadataPaged). */
  entityFieldsPage: pagedSchema(fieldMetadataSchema),
  /** GET /v2/companies?ids=… and POST /v2/companies/search (CompanyPaged); persons alike (PersonPaged). */
  entityRecordPage: pagedSchema(entityRecordSchema),
} as const;

/** The e-mail keys of a person list entry's `entity` (the list entry schema keeps them as unknown). */
export const personEmailsSchema = z.looseObject({
  primaryEmailAddress: z.string().nullable().optional(),
  emailAddresses: z.array(z.string()).nullable().optional(),
});

/** v1 GET /organizations?term=… */
export const v1OrganizationPageSchema = z.looseObject({
  organizations: z.array(
    z.looseObject({
      id: z.number().int(),
      name: z.string().optional(),
      domain: z.string().nullable().optional(),
      domains: z.array(z.string()).nullable().optional(),
    }),
  ),
  next_page_token: z.string().nullable().optional(),
});

/** v1 GET /persons?term=… */
export const v1PersonPageSchema = z.looseObject({
  persons: z.array(
    z.looseObject({
      id: z.number().int(),
      first_name: z.string().nullable().optional(),
      last_name: z.string().nullable().optional(),
      primary_email: z.string().nullable().optional(),
      emails: z.array(z.string()).nullable().optional(),
    }),
  ),
  next_page_token: z.string().nullable().optional(),
});
