import type { EntityKind } from '../affinity/entity-schemas.js';
import type { FieldUpdate } from '../affinity/field-value.js';
import type { DropdownOption, FieldMetadata, ListEntry } from '../affinity/schemas.js';

/** A destination's fields, or the configuration problem that it cannot be found. */
export type TargetFields =
  | { ok: true; fields: FieldMetadata[] }
  | { ok: false; problem: { path: string; message: string } };

/**
 * Where a mapping writes: today a list (list-target.ts); companies and persons later. The read and
 * write phases talk only to this, so a new destination or read strategy leaves the others alone.
 */
export interface Target {
  /** The destination's fields (every page). */
  describeFields(): Promise<TargetFields>;
  /** The options of a dropdown-like field (options are never created). */
  dropdownOptions(fieldId: string): Promise<DropdownOption[]>;
  /**
   * Current values of these fields for every record, page by page (a full read). An entity
   * target yields its records in the same shape: the entity as `entity`, its id as `id`.
   */
  readCurrent(fieldIds: string[]): AsyncIterable<ListEntry[]>;
  /** Sets fields of one record in one request (at most 100 updates). */
  writeRecord(recordId: number, updates: FieldUpdate[]): Promise<void>;
}

/**
 * A destination whose records are read by id, never scanned: companies' or persons' own fields
 * (entity-target.ts). `readCurrent` is not used for it; the engine reads the records its rows match.
 */
export interface RecordTarget extends Target {
  readonly entity: EntityKind;
  /** Current values of these fields for these ids, ≤100 ids per request, as ListEntry-shaped records (`id` = entity id); ids Affinity does not know are absent. */
  readRecords(ids: readonly number[], fieldIds: readonly string[]): AsyncIterable<ListEntry[]>;
}
