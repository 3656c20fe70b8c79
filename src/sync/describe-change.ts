import type { DropdownOption } from '../affinity/schemas.js';
import type { Change } from './change-log.js';
import { displayValue } from './display-value.js';
import type { IndexedEntry } from './entry-index.js';
import type { MappedField, PlannedUpdate } from './plan-row.js';
import { capShownValue } from './shown-value-cap.js';

/** Dropdown options by mapped column, which display needs to show option texts. */
export type OptionsByColumn = Map<string, DropdownOption[] | undefined>;

export function optionsByColumn(fields: MappedField[]): OptionsByColumn {
  return new Map(fields.map((m) => [m.field.column, m.target.dropdownOptions]));
}

/** The report's changes for these updates of one entry (pure): before → after shown, and sent. */
export function describeChanges(
  entry: IndexedEntry,
  updates: PlannedUpdate[],
  options: OptionsByColumn,
): Change[] {
  return updates.map(({ update, field }) => {
    const choices = options.get(field.column);
    const before = entry.values.get(update.id)?.data;
    return {
      entryId: entry.listEntryId,
      entityId: entry.entityId,
      ...(entry.entityName === undefined ? {} : { entityName: entry.entityName }),
      fieldId: update.id,
      fieldName: field.fieldName,
      before: capShownValue(displayValue(before, field.valueType, 'read', choices)),
      after: capShownValue(displayValue(update.value.data, field.valueType, 'update', choices)),
      sent: capShownValue(update.value.data),
    };
  });
}
