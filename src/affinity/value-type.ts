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

export function isValueType(text: string): text is ValueType {
  return (valueTypes as readonly string[]).includes(text);
}

export function isFieldKind(text: string): text is FieldKind {
  return (fieldKinds as readonly string[]).includes(text);
}

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

/**
 * Whether a field as Affinity describes it can be written. A `type` or `valueType` this client does
 * not know (a newer API version, or `hidden`, the 2026-07-15 document's redaction state for a
 * restricted opportunity's fields) is `unknown`: never written, and never a reason to fail a run.
 */
export type Writability =
  | { kind: 'writable'; fieldKind: FieldKind; valueType: ValueType }
  | { kind: 'read-only'; reason: string }
  | { kind: 'unknown'; reason: string; advice: string };

const upgrade = 'a newer affinity-sync may write it; until then remove it from the mapping';

export function writability(type: string, valueType: string): Writability {
  if (type === 'hidden') {
    return {
      kind: 'unknown',
      reason:
        'Affinity reports its type as "hidden" (a restricted field this API key cannot manage; its value is masked)',
      advice: "give the API key's user access to it, or remove it from the mapping",
    };
  }
  if (!isFieldKind(type)) {
    const reason = `its type "${type}" is not one affinity-sync knows (${fieldKinds.join(', ')})`;
    return { kind: 'unknown', reason, advice: upgrade };
  }
  if (!isValueType(valueType)) {
    const reason = `its valueType "${valueType}" is not one affinity-sync can convert to`;
    return { kind: 'unknown', reason, advice: upgrade };
  }
  const reason = readOnlyReason(type, valueType);
  return reason === null ? { kind: 'writable', fieldKind: type, valueType } : { kind: 'read-only', reason };
}
