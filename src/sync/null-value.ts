import type { FieldValueUpdate } from '../affinity/field-value.js';
import type { ValueType } from '../affinity/value-type.js';

/** The value that clears a field of this type (`data: null`), for `onNull: clear`. */
export function nullValue(valueType: ValueType): FieldValueUpdate {
  switch (valueType) {
    case 'text':
    case 'filterable-text':
    case 'filterable-text-multi':
    case 'number':
    case 'number-multi':
    case 'datetime':
    case 'dropdown':
    case 'ranked-dropdown':
    case 'dropdown-multi':
    case 'location':
    case 'location-multi':
    case 'person':
    case 'company':
    case 'person-multi':
    case 'company-multi':
      // Every writable type takes `data: null`; the cast keeps the pairing of type and data.
      return { type: valueType, data: null } as FieldValueUpdate;
    case 'formula-number':
    case 'interaction':
      throw new Error(`${valueType} fields cannot be written`);
    default: {
      const never: never = valueType;
      return never;
    }
  }
}
