import type { ResolvedField } from './resolve-fields.js';

/** The resolved plan as an aligned text table: column → field id, name, valueType, onNull. */
export function formatPlan(fields: readonly ResolvedField[]): string {
  const rows = [
    ['column', 'field id', 'field name', 'valueType', 'onNull'],
    ...fields.map((f) => [f.column, f.fieldId, f.fieldName, f.valueType, f.onNull]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
