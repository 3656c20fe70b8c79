import type { DropdownOption } from '../affinity/schemas.js';
import type { ValueType } from '../affinity/value-type.js';
import { affinityDateZone, calendarDateOf } from './calendar-date.js';

/**
 * A field value (read or update form) as a person reads it in a dry run: option texts instead of
 * ids, calendar dates instead of Pacific-midnight timestamps, ids for people and companies.
 */
export function displayValue(
  data: unknown,
  valueType: ValueType,
  form: 'read' | 'update',
  options: DropdownOption[] = [],
): unknown {
  if (data === null || data === undefined) return null;
  switch (valueType) {
    case 'dropdown':
    case 'ranked-dropdown':
      return optionText(data, options);
    case 'dropdown-multi':
      return Array.isArray(data) ? data.map((item) => optionText(item, options)) : data;
    case 'datetime':
      // Affinity returns midnight Pacific; we send midnight UTC of the calendar date.
      if (typeof data !== 'string') return data;
      return (form === 'read' ? calendarDateOf(data, affinityDateZone) : calendarDateOf(data)) ?? data;
    case 'person':
    case 'company':
      return idOf(data);
    case 'person-multi':
    case 'company-multi':
      return Array.isArray(data) ? data.map(idOf) : data;
    case 'text':
    case 'filterable-text':
    case 'filterable-text-multi':
    case 'number':
    case 'number-multi':
    case 'location':
    case 'location-multi':
    case 'formula-number':
    case 'interaction':
      return data;
    default: {
      const never: never = valueType;
      return never;
    }
  }
}

function optionText(item: unknown, options: DropdownOption[]): unknown {
  if (typeof item !== 'object' || item === null || !('dropdownOptionId' in item)) return item;
  if ('text' in item && typeof item.text === 'string') return item.text;
  return options.find((o) => o.id === item.dropdownOptionId)?.text ?? item.dropdownOptionId;
}

function idOf(item: unknown): unknown {
  return typeof item === 'object' && item !== null && 'id' in item ? item.id : item;
}
