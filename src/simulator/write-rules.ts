import type { SimField } from './field-model.js';

// What Affinity refuses to write (API-NOTES "Not writable"), as the simulator's own table.

const kindRules: Record<SimField['type'], string | null> = {
  list: null,
  global: null,
  enriched: 'enriched fields are maintained by Affinity and cannot be written',
  'relationship-intelligence':
    'relationship-intelligence fields are computed by Affinity and cannot be written',
  hidden: 'the field is hidden from this API key (a restricted field it cannot manage)',
};

const computedValueTypes: Partial<Record<SimField['valueType'], string>> = {
  'formula-number': 'formula fields are computed and cannot be written',
  interaction: 'interaction fields are computed and cannot be written',
};

/** Why Affinity refuses to write `field`, or null when it accepts values for it. */
export function refusalReason(field: Pick<SimField, 'type' | 'valueType'>): string | null {
  return kindRules[field.type] ?? computedValueTypes[field.valueType] ?? null;
}
