// The simulator's own model of a field, from the official documents (test/fixtures/affinity-openapi/)
// and ../shared/affinity/API-NOTES.md. Deliberately not imported from src/affinity: a test double
// that shares the client's tables would agree with the client's mistakes.

/** FieldMetadata.valueType in both documents. */
export const simValueTypes = [
  'person',
  'person-multi',
  'company',
  'company-multi',
  'filterable-text',
  'filterable-text-multi',
  'number',
  'number-multi',
  'datetime',
  'location',
  'location-multi',
  'text',
  'ranked-dropdown',
  'dropdown',
  'dropdown-multi',
  'formula-number',
  'interaction',
] as const;
export type SimValueType = (typeof simValueTypes)[number];

/** Field kinds the documents list (and `fieldTypes` filters by). */
export const documentedKinds = ['enriched', 'global', 'list', 'relationship-intelligence'] as const;

/**
 * Kinds a fixture may give a field: the documented ones plus `hidden`, the 2026-07-15 document's
 * redaction state (a restricted field the caller cannot manage; served masked, never writable).
 */
export const simFieldKinds = [...documentedKinds, 'hidden'] as const;
export type SimFieldKind = (typeof simFieldKinds)[number];

export interface SimDropdownOption {
  id: number;
  text: string;
  rank?: number | undefined;
  color?: string | null | undefined;
}

export interface SimField {
  id: string;
  name: string;
  type: SimFieldKind;
  valueType: SimValueType;
  enrichmentSource: string | null;
  dropdownOptions: SimDropdownOption[];
  optionById: Map<number, SimDropdownOption>;
  /** Changes are recorded in the change log (field-value-changes) only while this is on. */
  trackChanges: boolean;
}
