import type { ValueType } from '../affinity/value-type.js';
import type { ColumnKind } from '../sources/source.js';

/**
 * Whether a result column of `kind` can convert to a field of `valueType`: true, false, or 'maybe'
 * when it depends on the values (numeric text to a number, JSON to a location, an unknown kind).
 */
export function columnCanConvert(kind: ColumnKind, valueType: ValueType): boolean | 'maybe' {
  if (kind === 'unknown') return writable(valueType) ? 'maybe' : false;
  return compatible(valueType)[kind];
}

type Table = Record<Exclude<ColumnKind, 'unknown'>, boolean | 'maybe'>;

const none: Table = {
  number: false,
  text: false,
  date: false,
  timestamp: false,
  boolean: false,
  json: false,
  array: false,
};

function compatible(valueType: ValueType): Table {
  switch (valueType) {
    case 'text':
    case 'filterable-text':
      return { ...none, number: true, text: true, date: true, timestamp: true, boolean: true, json: 'maybe' };
    case 'filterable-text-multi':
      return { ...none, text: true, array: true, json: 'maybe' };
    case 'number':
      return { ...none, number: true, text: 'maybe', json: 'maybe' };
    case 'number-multi':
      return { ...none, number: true, array: true, text: 'maybe', json: 'maybe' };
    case 'datetime':
      return { ...none, date: true, timestamp: true, text: 'maybe', json: 'maybe' };
    case 'dropdown':
    case 'ranked-dropdown':
      // Option text, or an option id.
      return { ...none, text: true, number: true, json: 'maybe' };
    case 'dropdown-multi':
      return { ...none, text: true, number: true, array: true, json: 'maybe' };
    case 'location':
      return { ...none, json: true, text: 'maybe' };
    case 'location-multi':
      return { ...none, json: true, array: true, text: 'maybe' };
    case 'person':
    case 'company':
      // An entity id; text holding digits may also do.
      return { ...none, number: true, text: 'maybe', json: 'maybe' };
    case 'person-multi':
    case 'company-multi':
      return { ...none, number: true, array: true, text: 'maybe', json: 'maybe' };
    case 'formula-number':
    case 'interaction':
      return none;
    default: {
      const never: never = valueType;
      throw new Error(`unknown value type ${String(never)}`);
    }
  }
}

function writable(valueType: ValueType): boolean {
  return valueType !== 'formula-number' && valueType !== 'interaction';
}
