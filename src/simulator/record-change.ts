import type { ActionType } from './change-log.js';
import type { SimField } from './field-model.js';
import type { SimEntry, SimulatorState } from './state.js';

/**
 * Records the change(s) of storing `after` over `before` (write-form data) on `field` of `entry`:
 * single values `add` / `update` / `delete`; multi values one `add` or `delete` per item (Affinity's
 * multi-value fields never produce `update`). Nothing for untracked fields or equal values.
 */
export function recordChange(
  state: SimulatorState,
  entry: SimEntry,
  field: SimField,
  before: unknown,
  after: unknown,
  changer: { changerId: number | null; changedAt?: string },
): void {
  if (!field.trackChanges || (field.type !== 'list' && field.type !== 'global')) return;
  const stamp = state.changeLog.stamp(changer.changedAt);
  const base = {
    listId: entry.listId,
    field: { id: field.id, name: field.name, type: field.type },
    valueType: field.valueType,
    entityId: entry.entityId,
    listEntryId: entry.id,
    changerId: changer.changerId,
    ...stamp,
  };
  const add = (actionType: ActionType, item: unknown) =>
    state.changeLog.add({ ...base, actionType, value: renderChangeValue(state, field, item) });
  if (field.valueType.endsWith('-multi')) {
    const was = new Map(((before as unknown[] | null) ?? []).map((item) => [JSON.stringify(item), item]));
    const now = new Map(((after as unknown[] | null) ?? []).map((item) => [JSON.stringify(item), item]));
    for (const [key, item] of was) if (!now.has(key)) add('delete', item);
    for (const [key, item] of now) if (!was.has(key)) add('add', item);
    return;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (after === null) add('delete', before);
  else add(before === null ? 'add' : 'update', after);
}

/** One item as FieldValueChange.value shows it: live references carry `referenceType: "entity"`. */
function renderChangeValue(state: SimulatorState, field: SimField, item: unknown): unknown {
  switch (field.valueType) {
    case 'dropdown':
    case 'dropdown-multi':
    case 'ranked-dropdown': {
      const id = (item as { dropdownOptionId: number }).dropdownOptionId;
      const option = field.optionById.get(id);
      if (!option) return { referenceType: 'deleted-entity', displayValue: `option ${id}` };
      const ranked =
        field.valueType === 'ranked-dropdown' ? { rank: option.rank ?? 0, color: option.color ?? null } : {};
      return { referenceType: 'entity', dropdownOptionId: id, text: option.text, ...ranked };
    }
    case 'company':
    case 'company-multi': {
      const id = (item as { id: number }).id;
      const company = state.companies.get(id);
      return {
        referenceType: 'entity',
        id,
        name: company?.name ?? `Company ${id}`,
        domain: company?.domain ?? null,
      };
    }
    case 'person':
    case 'person-multi': {
      const id = (item as { id: number }).id;
      const person = state.persons.get(id);
      return {
        referenceType: 'entity',
        id,
        firstName: person?.firstName ?? null,
        lastName: person?.lastName ?? null,
        primaryEmailAddress: person?.primaryEmailAddress ?? null,
        type: 'external',
      };
    }
    case 'text':
    case 'filterable-text':
    case 'filterable-text-multi':
    case 'number':
    case 'number-multi':
    case 'datetime':
    case 'location':
    case 'location-multi':
    case 'formula-number':
    case 'interaction':
      return item;
    default: {
      const never: never = field.valueType;
      return never;
    }
  }
}
