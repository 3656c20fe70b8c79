import type { EntityKind } from '../affinity/entity-schemas.js';
import type { FieldMetadata, List } from '../affinity/schemas.js';
import { scrub } from '../log/secrets.js';
import type { ColumnInfo, Source } from '../sources/source.js';
import { errorMessage } from '../util/error-message.js';
import { checkCreateTarget } from './check-create-target.js';
import { columnCanConvert } from './column-compatibility.js';
import type { PathProblem } from './config-error.js';
import { type Destination, destinationOf, type Mapping } from './mapping-schema.js';
import { isListType, matchRuleProblem } from './match-rules.js';
import { pathText } from './parse-mapping.js';
import { type ResolvedField, resolveFields } from './resolve-fields.js';

/** What `validate --remote` asks of Affinity and the warehouse (the real client and openSource fit). */
export interface RemoteCheckDeps {
  getList(listId: number): Promise<List>;
  getListFields(listId: number): Promise<FieldMetadata[]>;
  /** Fields of companies or persons themselves (GET /v2/{companies|persons}/fields). */
  getEntityFields(kind: EntityKind): Promise<FieldMetadata[]>;
  /** Opens the mapping's source; only describe() and close() are called, no rows are read. */
  openSource(mapping: Mapping): Source;
}

export interface RemoteCheck {
  /** Problems that make the mapping unusable (each at a path of the file). */
  problems: PathProblem[];
  /**
   * Worth a look, not fatal: conversions that depend on the values (e.g. numeric text to a number
   * field) and fields a run will skip (a `type` or `valueType` this client does not know, `hidden`).
   */
  notes: PathProblem[];
  /** Where the mapping writes; for a list, `list` is what Affinity said about it. */
  destination: Destination;
  list?: List;
  fields: ResolvedField[];
  columns: ColumnInfo[];
  /** How many fields the destination has (all of them, mapped or not): its field pages, for the forecast. */
  listFieldCount?: number;
}

/**
 * Checks a mapping against Affinity and its source: the list exists (or, for `target:`, the
 * companies' / persons' fields are read), each field resolves and is writable, each match rule
 * applies to the list's type, every mapped column is in the query's result and its type can
 * convert to the field's. Errors of Affinity or the source (not found, refused, bad SQL) become
 * problems at `list` / `target` / `source`.
 */
export async function checkRemote(mapping: Mapping, deps: RemoteCheckDeps): Promise<RemoteCheck> {
  const problems: PathProblem[] = [];
  const notes: PathProblem[] = [];
  const destination = destinationOf(mapping);
  const found = await checkDestination(mapping, destination, deps, problems, notes);
  let columns: ColumnInfo[] = [];
  const source = deps.openSource(mapping);
  try {
    columns = await source.describe();
  } catch (error) {
    problems.push({ path: 'source', message: `the query could not be described: ${causeOf(error)}` });
  } finally {
    await source.close().catch(() => undefined);
  }
  if (columns.length > 0) {
    const checked = checkColumns(mapping, found.fields, columns);
    problems.push(...checked.problems);
    notes.push(...checked.notes);
  }
  return { problems, notes, destination, ...found, columns };
}

// The destination's fields resolved, and (lists) the list and its match rules checked.
async function checkDestination(
  mapping: Mapping,
  destination: Destination,
  deps: RemoteCheckDeps,
  problems: PathProblem[],
  notes: PathProblem[],
): Promise<{ fields: ResolvedField[]; list?: List; listFieldCount?: number }> {
  let listFieldCount: number | undefined;
  const resolve = (fields: readonly FieldMetadata[]): ResolvedField[] => {
    listFieldCount = fields.length;
    const resolved = resolveFields(mapping, fields);
    problems.push(...resolved.problems);
    // A field of a kind this client does not know is skipped by a run, not fatal: a note here too.
    notes.push(...resolved.skipped.map(({ path, message }) => ({ path, message })));
    return resolved.fields;
  };
  if (destination.kind !== 'list') {
    const kind: EntityKind = destination.kind === 'companies' ? 'company' : 'person';
    try {
      const fields = resolve(await deps.getEntityFields(kind));
      return { fields, ...(listFieldCount === undefined ? {} : { listFieldCount }) };
    } catch (error) {
      problems.push({
        path: 'target',
        message: `could not read the fields of ${destination.kind} from Affinity: ${causeOf(error)}`,
      });
      return { fields: [] };
    }
  }
  const { listId } = destination;
  let list: List;
  let fields: ResolvedField[] = [];
  try {
    list = await deps.getList(listId);
    fields = resolve(await deps.getListFields(listId));
  } catch (error) {
    problems.push({ path: 'list', message: listFailure(listId, error) });
    return { fields };
  }
  problems.push(...checkCreateTarget(mapping, list, fields));
  const counted = listFieldCount === undefined ? {} : { listFieldCount };
  // A list type this version does not know: its rules are not known either, so none is refused.
  const { type } = list;
  if (!isListType(type)) return { fields, list, ...counted };
  for (const [index, rule] of mapping.match.entries()) {
    const problem = matchRuleProblem({ list: { id: list.id, name: list.name, type } }, rule.by);
    if (problem !== null) problems.push({ path: pathText(['match', index, 'by']), message: problem });
  }
  return { fields, list };
}

/**
 * Pure: every match and mapped column is in the query's result and its type can convert to its
 * field's. `validate --remote` and `run` (before any write) both ask this, so both say the same.
 */
export function checkColumns(
  mapping: Mapping,
  fields: readonly ResolvedField[],
  columns: readonly ColumnInfo[],
): { problems: PathProblem[]; notes: PathProblem[] } {
  const problems: PathProblem[] = [];
  const notes: PathProblem[] = [];
  const byName = new Map(columns.map((c) => [c.name, c]));
  const known = columns.map((c) => c.name).join(', ');
  const missing = (column: string) => `column "${column}" is not in the query's result (it has: ${known})`;
  for (const [index, rule] of mapping.match.entries()) {
    if (!byName.has(rule.column))
      problems.push({ path: pathText(['match', index, 'column']), message: missing(rule.column) });
  }
  if (mapping.companyName !== undefined && !byName.has(mapping.companyName))
    problems.push({ path: 'companyName', message: missing(mapping.companyName) });
  for (const column of Object.keys(mapping.fields)) {
    const path = pathText(['fields', column]);
    const info = byName.get(column);
    if (info === undefined) {
      problems.push({ path, message: missing(column) });
      continue;
    }
    const field = fields.find((f) => f.column === column);
    if (field === undefined) continue;
    const fit = columnCanConvert(info.kind, field.valueType);
    const what = `column "${column}" is ${info.kind} (${info.nativeType})`;
    const target = `${field.valueType} field ${field.fieldId} ("${field.fieldName}")`;
    if (fit === false) problems.push({ path, message: `${what} and cannot convert to the ${target}` });
    else if (fit === 'maybe') notes.push({ path, message: `${what}; each value must read as the ${target}` });
  }
  return { problems, notes };
}

function listFailure(listId: number, error: unknown): string {
  const status = (error as { status?: unknown }).status;
  if (status === 404) return `list ${listId} was not found in Affinity (or the API key cannot see it)`;
  return `could not read list ${listId} from Affinity: ${causeOf(error)}`;
}

function causeOf(error: unknown): string {
  return scrub(errorMessage(error));
}
