import type { FieldMetadata } from '../affinity/schemas.js';
import { type ValueType, writability } from '../affinity/value-type.js';
import type { PathProblem } from './config-error.js';
import { type Destination, destinationOf, type Mapping } from './mapping-schema.js';
import { editDistance, pathText } from './parse-mapping.js';

/** A `fields:` entry bound to the list's field. */
export interface ResolvedField {
  column: string;
  fieldId: string;
  fieldName: string;
  valueType: ValueType;
  onNull: 'skip' | 'clear';
}

/** A mapped field left alone: its `type` or `valueType` is one this client does not know (or `hidden`). */
export interface SkippedField {
  column: string;
  /** The mapping path, e.g. `fields.arr`. */
  path: string;
  fieldId: string;
  fieldName: string;
  /** The whole sentence, naming the field and why it is skipped. */
  message: string;
}

export interface FieldResolution {
  fields: ResolvedField[];
  /** Mistakes in the mapping: it cannot run until they are fixed. */
  problems: PathProblem[];
  /** Fields that cannot be written for now; a run goes on without them and reports each. */
  skipped: SkippedField[];
}

/** How messages name where fields are looked for: a list, or companies' / persons' own fields. */
interface FieldScope {
  /** "list 12 has", "companies have" */
  has: string;
  /** "on list 12", "of companies" */
  on: string;
  /** "its", "their" */
  its: string;
  /** "it has", "they have" */
  itHas: string;
  /** "the list has no fields" */
  none: string;
}

function scopeOf(destination: Destination): FieldScope {
  if (destination.kind === 'list') {
    const { listId } = destination;
    return {
      has: `list ${listId} has`,
      on: `on list ${listId}`,
      its: 'its',
      itHas: 'it has',
      none: 'the list has no fields',
    };
  }
  const who = destination.kind;
  return {
    has: `${who} have`,
    on: `of ${who}`,
    its: 'their',
    itHas: 'they have',
    none: `${who} have no fields`,
  };
}

/**
 * Binds each mapped column to a field of the list (or, for `target:`, of companies or persons
 * themselves): by id (any id there, e.g. "field-123",
 * "affinity-data-…") or by name (case-insensitive, trimmed). Reports every unknown, ambiguous,
 * read-only or doubly mapped field, and skips (never fails on) fields whose kind or value type
 * this client does not know; pure, so the sync engine and `validate --remote` share it.
 */
export function resolveFields(mapping: Mapping, listFields: readonly FieldMetadata[]): FieldResolution {
  const byId = new Map(listFields.map((f) => [f.id, f]));
  const fields: ResolvedField[] = [];
  const problems: PathProblem[] = [];
  const skipped: SkippedField[] = [];
  const fedBy = new Map<string, string>();
  const scope = scopeOf(destinationOf(mapping));
  for (const [column, target] of Object.entries(mapping.fields)) {
    const path = pathText(['fields', column]);
    const found = findField(target.field, byId, listFields, scope);
    if ('problem' in found) {
      problems.push({ path, message: found.problem });
      continue;
    }
    const field = found.field;
    const label = `${field.id} ("${field.name}")`;
    const writable = writability(field.type, field.valueType);
    if (writable.kind === 'read-only') {
      problems.push({ path, message: `${label} cannot be written: ${writable.reason}` });
      continue;
    }
    if (writable.kind === 'unknown') {
      const message = `${label} is skipped (never written): ${writable.reason}; ${writable.advice}`;
      skipped.push({ column, path, fieldId: field.id, fieldName: field.name, message });
      continue;
    }
    const other = fedBy.get(field.id);
    if (other !== undefined) {
      problems.push({
        path,
        message: `${label} is already fed by column "${other}"; map each field from one column`,
      });
      continue;
    }
    fedBy.set(field.id, column);
    fields.push({
      column,
      fieldId: field.id,
      fieldName: field.name,
      valueType: writable.valueType,
      onNull: target.onNull,
    });
  }
  return { fields, problems, skipped };
}

function findField(
  ref: string,
  byId: ReadonlyMap<string, FieldMetadata>,
  listFields: readonly FieldMetadata[],
  scope: FieldScope,
): { field: FieldMetadata } | { problem: string } {
  const exact = byId.get(ref);
  if (exact !== undefined) return { field: exact };
  if (/^field-\d+$/.test(ref) || ref.startsWith('affinity-data-')) {
    // Ids differing by a digit are not "close" in a useful sense: list the fields instead.
    return { problem: `${scope.has} no field with id "${ref}"${closeHint(ref, listFields, null, scope)}` };
  }
  const wanted = normalizeName(ref);
  const named = listFields.filter((f) => normalizeName(f.name) === wanted);
  if (named.length === 1) return { field: named[0]! };
  if (named.length > 1) {
    return {
      problem: `"${ref}" names ${named.length} fields ${scope.on} (${named.map((f) => f.id).join(', ')}); write the field id instead`,
    };
  }
  return {
    problem: `${scope.has} no field named "${ref}"${closeHint(ref, listFields, (f) => f.name, scope)}`,
  };
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase();
}

// Up to five close candidates, or the list's fields when none is close (short lists only).
function closeHint(
  ref: string,
  listFields: readonly FieldMetadata[],
  key: ((f: FieldMetadata) => string) | null,
  scope: FieldScope,
): string {
  const wanted = normalizeName(ref);
  const close = (f: FieldMetadata, d: number) =>
    d <= Math.max(2, Math.floor(wanted.length / 3)) || normalizeName(key!(f)).includes(wanted);
  const scored =
    key === null
      ? []
      : listFields
          .map((f) => ({ f, d: editDistance(wanted, normalizeName(key(f))) }))
          .filter(({ f, d }) => close(f, d))
          .sort((a, b) => a.d - b.d)
          .slice(0, 5);
  const describe = (f: FieldMetadata) => `"${f.name}" (${f.id})`;
  if (scored.length > 0) return `; close: ${scored.map(({ f }) => describe(f)).join(', ')}`;
  if (listFields.length === 0) return `; ${scope.none}`;
  if (listFields.length <= 10) return `; ${scope.its} fields: ${listFields.map(describe).join(', ')}`;
  return `; ${scope.itHas} ${listFields.length} fields, none with a close name`;
}
