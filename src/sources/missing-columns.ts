import type { ColumnInfo } from './source.js';

/**
 * The required column names absent from a result description, in the order required. Names match
 * exactly (case-sensitive) because rows are keyed by the exact result column name; Snowflake
 * upper-cases unquoted identifiers, so a mapping names `ARR` or the query aliases `as "arr"`.
 */
export function missingColumns(columns: ColumnInfo[], required: string[]): string[] {
  const present = new Set(columns.map((c) => c.name));
  return required.filter((name) => !present.has(name));
}
