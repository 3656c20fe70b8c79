/** Every `valueType` Affinity reports for a field (FieldMetadata.valueType in the v2 spec). */
export const valueTypes = [
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

export type ValueType = (typeof valueTypes)[number];

/** Field kinds (FieldMetadata.type). */
export const fieldKinds = ['enriched', 'global', 'list', 'relationship-intelligence'] as const;
export type FieldKind = (typeof fieldKinds)[number];

/** Why a field cannot be written, or null when it can (API-NOTES: enriched, RI, formula, interaction). */
export function readOnlyReason(kind: FieldKind, valueType: ValueType): string | null {
  switch (kind) {
    case 'enriched':
      return 'enriched fields are maintained by Affinity and cannot be written';
    case 'relationship-intelligence':
      return 'relationship-intelligence fields are computed by Affinity and cannot be written';
    case 'global':
    case 'list':
      break;
    default: {
      const never: never = kind;
      return never;
    }
  }
  if (valueType === 'formula-number') return 'formula fields are computed and cannot be written';
  if (valueType === 'interaction') return 'interaction fields are computed and cannot be written';
  return null;
}
