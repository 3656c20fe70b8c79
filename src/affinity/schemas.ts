import { z } from 'zod';
import { fieldValueChangeSchema, v1FieldTrackingSchema } from './change-schemas.js';

// Shapes of what Affinity API v2 returns, as far as affinity-sync reads them (official documents in
// test/fixtures/affinity-openapi/, both versions). They accept everything the documents allow and
// more: objects are loose (Affinity adds properties over time), enum-valued properties are plain
// strings (a value this client does not know, such as a field `type` of "hidden", is judged by
// value-type.ts's `writability`, never a parse failure), and a paged `data` may be null.

/** GET /v2/lists/{listId}/fields item; `type` and `valueType` are checked by `writability()`. */
export const fieldMetadataSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  valueType: z.string(),
  enrichmentSource: z.string().nullable().optional(),
});
export type FieldMetadata = z.infer<typeof fieldMetadataSchema>;

/** A field value as read: `data` is shaped by `type` (see field-value.ts for the typed forms). */
export const fieldValueReadSchema = z.looseObject({
  type: z.string(),
  data: z.unknown(),
});
export type FieldValueRead = z.infer<typeof fieldValueReadSchema>;

/** A field with its value; `type` "hidden" (2026-07-15) marks a restricted field whose value is masked. */
export const fieldSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  enrichmentSource: z.string().nullable().optional(),
  value: fieldValueReadSchema,
});
export type Field = z.infer<typeof fieldSchema>;

export const entitySchema = z.looseObject({
  id: z.number().int(),
  name: z.string().optional(),
  domain: z.string().nullable().optional(),
  domains: z.array(z.string()).optional(),
  fields: z.array(fieldSchema).default([]),
});
export type Entity = z.infer<typeof entitySchema>;

/** GET /v2/lists/{listId}/list-entries item (ListEntryWithEntity). */
export const listEntrySchema = z.looseObject({
  id: z.number().int(),
  /** "company", "person" or "opportunity" today. */
  type: z.string(),
  listId: z.number().int(),
  createdAt: z.string(),
  creatorId: z.number().int().nullable(),
  entity: entitySchema,
});
export type ListEntry = z.infer<typeof listEntrySchema>;

export const listSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  /** "company", "person" or "opportunity" today. */
  type: z.string(),
  isPublic: z.boolean(),
  ownerId: z.number().int(),
  creatorId: z.number().int(),
});
export type List = z.infer<typeof listSchema>;

export const paginationSchema = z.looseObject({
  nextUrl: z.string().nullable().optional(),
  prevUrl: z.string().nullable().optional(),
});

/** Affinity's paged envelope `{data, pagination}` as the client reads it. */
export interface Page<T> {
  data: T[];
  pagination: { nextUrl?: string | null | undefined };
}

/** Wraps an item schema in the paged envelope; a `null` page (documented for list entries) reads as empty. */
export function pagedSchema<T>(item: z.ZodType<T>): z.ZodType<Page<T>> {
  return z.looseObject({
    data: z
      .array(item)
      .nullable()
      .transform((data) => data ?? []),
    pagination: paginationSchema,
  }) as unknown as z.ZodType<Page<T>>;
}

/** A dropdown option, whichever API returned it (v2 dropdown-options or v1 dropdown_options). */
export const dropdownOptionSchema = z.looseObject({
  id: z.number().int(),
  text: z.string(),
  rank: z.number().int().nullable().optional(),
  color: z.union([z.string(), z.number()]).nullable().optional(),
});
export type DropdownOption = z.infer<typeof dropdownOptionSchema>;

/** v1 GET /fields?list_id=… item. */
export const v1FieldSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  list_id: z.number().int().nullable(),
  value_type: z.number().int(),
  allows_multiple: z.boolean().optional(),
  dropdown_options: z
    .array(dropdownOptionSchema)
    .nullish()
    .transform((options) => options ?? []),
});
export type V1Field = z.infer<typeof v1FieldSchema>;

/** Affinity's error body: `{errors:[{code, message, param?}]}`. */
export const errorBodySchema = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string(), message: z.string(), param: z.string().optional() })),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** GET /v2/auth/whoami: who the API key belongs to. */
export const whoamiSchema = z.looseObject({
  tenant: z.looseObject({ id: z.number().int(), name: z.string(), subdomain: z.string() }),
  user: z.looseObject({
    id: z.number().int(),
    firstName: z.string(),
    lastName: z.string().nullable(),
    emailAddress: z.string(),
  }),
  grant: z.looseObject({ type: z.string(), scopes: z.array(z.string()), createdAt: z.string() }),
});
export type WhoAmI = z.infer<typeof whoamiSchema>;

/** Every response body the client parses, by what it is (the sample-based tests parse through these). */
export const responseSchemas = {
  whoami: whoamiSchema,
  list: listSchema,
  listPage: pagedSchema(listSchema),
  listFieldsPage: pagedSchema(fieldMetadataSchema),
  listEntryPage: pagedSchema(listEntrySchema),
  entryFieldsPage: pagedSchema(fieldSchema),
  companyPage: pagedSchema(entitySchema),
  company: entitySchema,
  dropdownOptionPage: pagedSchema(dropdownOptionSchema),
  /** POST …/dropdown-options (2026-07-15): the option created. */
  dropdownOption: dropdownOptionSchema,
  v1Fields: z.array(v1FieldSchema),
  error: errorBodySchema,
  listEntry: listEntrySchema,
  fieldValueChangePage: pagedSchema(fieldValueChangeSchema),
  v1FieldTracking: z.array(v1FieldTrackingSchema),
} as const;
