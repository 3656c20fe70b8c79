import type { FieldUpdate } from '../affinity/field-value.js';
import type { ResolvedField } from '../mappings/resolve-fields.js';
import type { Row } from '../sources/source.js';
import { convertValue, type FieldTarget } from './convert-value.js';
import type { EntryIndex, IndexedEntry } from './entry-index.js';
import { type MatchResult, type MatchRule, matchRow } from './match-row.js';
import { nullValue } from './null-value.js';
import type { Problem } from './problem.js';

/** One mapped column: how it resolved on the list, and what conversion needs (dropdown options). */
export interface MappedField {
  field: ResolvedField;
  target: FieldTarget;
  /** The field's value belongs to the entity, not to one list entry (a global field on a list). */
  entityOwned?: boolean;
}

/** How miss messages name the records matched: list entries, or companies / persons themselves. */
export interface RecordWords {
  /** "list entry", "company", "person" */
  record: string;
  /** " on the list" for a list, "" for a target. */
  where: string;
}

export const listWords: RecordWords = { record: 'list entry', where: ' on the list' };

export interface PlannedUpdate {
  update: FieldUpdate;
  field: ResolvedField;
}

/** What one source row means for Affinity: the entries it reaches and their updates, or why none. */
export type RowPlan =
  | { kind: 'unmatched' | 'ambiguous'; problem: Problem }
  | {
      kind: 'matched';
      /** The match key that hit, as `column=value`. */
      key: string;
      entries: IndexedEntry[];
      updates: PlannedUpdate[];
      /** One problem per value that could not convert (the row's other fields still go). */
      rejections: Problem[];
    };

/**
 * Matches a row by the rules in order and converts its mapped values (pure). NULL follows the
 * field's onNull: skip sends nothing, clear sends `data: null`.
 */
export function planRow(
  row: Row,
  rowNumber: number,
  rules: MatchRule[],
  index: EntryIndex,
  fields: MappedField[],
  words: RecordWords = listWords,
): RowPlan {
  const match = matchRow(row, rules, index);
  if (match.kind !== 'matched') return missPlan(match, rowNumber, rules, words);
  const key = `${match.rule.column}=${match.key}`;
  return { kind: 'matched', key, entries: match.entries, ...convertRow(row, rowNumber, key, fields) };
}

/** A row's mapped values converted (pure): the updates, and one rejection per value that cannot convert. */
export function convertRow(
  row: Row,
  rowNumber: number,
  key: string,
  fields: MappedField[],
): { updates: PlannedUpdate[]; rejections: Problem[] } {
  const updates: PlannedUpdate[] = [];
  const rejections: Problem[] = [];
  for (const { field, target } of fields) {
    const raw = row[field.column];
    if (raw === null || raw === undefined) {
      if (field.onNull === 'clear')
        updates.push({ update: { id: field.fieldId, value: nullValue(field.valueType) }, field });
      continue;
    }
    const converted = convertValue(raw, target);
    if (converted.ok) updates.push({ update: { id: field.fieldId, value: converted.value }, field });
    else
      rejections.push({
        code: 'rejected-value',
        row: rowNumber,
        key,
        column: field.column,
        reason: converted.reason,
      });
  }
  return { updates, rejections };
}

type Miss = Exclude<MatchResult, { kind: 'matched' }>;

/** The plan of a row no rule matched, with the problem that says why. */
function missPlan(match: Miss, row: number, rules: MatchRule[], words: RecordWords): RowPlan {
  switch (match.kind) {
    case 'unmatched':
      if (match.keys.length === 0) {
        const reason = `no match key: ${rules.map((m) => m.column).join(', ')} all empty`;
        return { kind: 'unmatched', problem: { code: 'missing-key', row, reason } };
      }
      return {
        kind: 'unmatched',
        problem: {
          code: 'unmatched',
          row,
          key: match.keys.join(', '),
          reason: `no ${words.record} matches ${match.keys.join(' or ')}`,
        },
      };
    case 'invalid-key': {
      const { column, value, reason } = match;
      return { kind: 'unmatched', problem: { code: 'invalid-key', row, column, value, reason } };
    }
    case 'ambiguous': {
      const key = `${match.rule.column}=${match.key}`;
      const holders = match.rule.by === 'email' ? 'persons' : 'companies';
      const reason = `ambiguous: ${key} belongs to ${match.entityIds.length} ${holders}${words.where} (${match.entityIds.join(', ')}); not written — match by entity id instead`;
      return { kind: 'ambiguous', problem: { code: 'ambiguous', row, key, reason } };
    }
    default: {
      const never: never = match;
      throw new Error(`unexpected match ${JSON.stringify(never)}`);
    }
  }
}
