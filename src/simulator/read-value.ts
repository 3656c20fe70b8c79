import type { SimField } from './field-model.js';
import type { SimulatorState } from './state.js';

// Turns stored write-form data into what Affinity returns in `fields[].value`.

function dropdown(field: SimField, stored: unknown): Record<string, unknown> | null {
  const id = (stored as { dropdownOptionId: number }).dropdownOptionId;
  const option = field.optionById.get(id);
  if (!option) return null;
  if (field.valueType === 'ranked-dropdown') {
    return { dropdownOptionId: id, text: option.text, rank: option.rank ?? 0, color: option.color ?? null };
  }
  return { dropdownOptionId: id, text: option.text };
}

function company(state: SimulatorState, stored: unknown): Record<string, unknown> {
  const id = (stored as { id: number }).id;
  const c = state.companies.get(id);
  return { id, name: c?.name ?? `Company ${id}`, domain: c?.domain ?? null };
}

function person(state: SimulatorState, stored: unknown): Record<string, unknown> {
  const id = (stored as { id: number }).id;
  const p = state.persons.get(id);
  return {
    id,
    firstName: p?.firstName ?? 'Person',
    lastName: p?.lastName ?? String(id),
    primaryEmailAddress: p?.primaryEmailAddress ?? null,
    type: 'external',
  };
}

/** `data` as Affinity returns it for `field` (dropdowns gain text, entities gain names, empty sets are null). */
export function renderData(state: SimulatorState, field: SimField, stored: unknown): unknown {
  if (stored === null || stored === undefined) return null;
  const many = (render: (item: unknown) => unknown) => {
    const items = (stored as unknown[]).map(render).filter((x) => x !== null);
    return items.length === 0 ? null : items;
  };
  switch (field.valueType) {
    case 'dropdown':
    case 'ranked-dropdown':
      return dropdown(field, stored);
    case 'dropdown-multi':
      return many((item) => dropdown(field, item));
    case 'company':
      return company(state, stored);
    case 'company-multi':
      return many((item) => company(state, item));
    case 'person':
      return person(state, stored);
    case 'person-multi':
      return many((item) => person(state, item));
    case 'number-multi':
    case 'filterable-text-multi':
    case 'location-multi':
      return many((item) => item);
    case 'text':
    case 'filterable-text':
    case 'number':
    case 'datetime':
    case 'location':
    case 'formula-number':
    case 'interaction':
      return stored;
    default: {
      const never: never = field.valueType;
      return never;
    }
  }
}

/** One `Field` object of a list entry or company: `{id, name, type, enrichmentSource, value: {type, data}}`. */
export function renderField(
  state: SimulatorState,
  field: SimField,
  stored: unknown,
): Record<string, unknown> {
  return {
    id: field.id,
    name: field.name,
    type: field.type,
    enrichmentSource: field.enrichmentSource,
    // A hidden field's value is masked: its type is kept, its data never shown.
    value: { type: field.valueType, data: field.type === 'hidden' ? null : renderData(state, field, stored) },
  };
}
