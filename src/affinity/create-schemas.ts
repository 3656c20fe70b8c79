import { z } from 'zod';

// Shapes of what the create endpoints and the reads that check them return (v1 resources are
// snake_case). Loose objects: Affinity adds properties over time.

/** A v1 list entry resource (POST /lists/{id}/list-entries, GET /organizations/{id} list_entries). */
export const v1ListEntrySchema = z.looseObject({
  id: z.number().int(),
  list_id: z.number().int(),
  entity_id: z.number().int(),
  created_at: z.string().optional(),
});
export type V1ListEntry = z.infer<typeof v1ListEntrySchema>;

/** A v1 organization resource (POST /organizations, GET /organizations/{id}). */
export const v1OrganizationSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  domain: z.string().nullable().optional(),
  domains: z.array(z.string()).optional(),
  list_entries: z.array(v1ListEntrySchema).optional(),
});
export type V1Organization = z.infer<typeof v1OrganizationSchema>;

/** A v1 person resource, as far as its list entries go (GET /persons/{id}). */
export const v1PersonSchema = z.looseObject({
  id: z.number().int(),
  list_entries: z.array(v1ListEntrySchema).optional(),
});

/** The body of v2 POST …/dropdown-options: standard options take text; ranked ones rank and color too. */
export type DropdownOptionToCreate =
  | { type: 'dropdown'; text: string }
  | { type: 'ranked-dropdown'; text: string; rank: number; color: DropdownColor };

/** The colors a ranked option may have (2026-07-15 document). */
export const dropdownColors = ['white', 'gray', 'blue', 'green', 'purple', 'orange', 'red'] as const;
export type DropdownColor = (typeof dropdownColors)[number];
