import type { z } from 'zod';
import { listOnlyKeys } from './create-settings.js';
import { describeInput, withInputLabels } from './describe-input.js';
import { type Mapping, mappingSchema } from './mapping-schema.js';
import { syncKeys } from './sync-settings.js';

/** A problem at a path of the document, as segments; `atKey` points at the key rather than its value. */
export interface SegmentedProblem {
  segments: (string | number)[];
  message: string;
  atKey?: boolean;
}

export type ParseResult =
  | { mapping: Mapping; problems: [] }
  | { mapping?: undefined; problems: SegmentedProblem[] };

/**
 * Checks plain data (the YAML document as JS) against the mapping schema; every issue comes back as
 * a path and a sentence. `interpolated` maps values read from the environment to the text in the
 * file, so messages show `${VAR}` rather than the value.
 */
export function parseMapping(
  data: unknown,
  interpolated: ReadonlyMap<string, string> = new Map(),
): ParseResult {
  if (data === null || data === undefined) {
    return {
      problems: [
        {
          segments: [],
          message: 'the file is empty; expected a mapping with name, source, list, match and fields',
        },
      ],
    };
  }
  const allowedKeys = new WeakMap<object, string[]>();
  return withInputLabels(interpolated, () => {
    const result = mappingSchema.safeParse(data, { error: (issue) => fallbackMessage(issue, allowedKeys) });
    if (result.success) return { mapping: result.data, problems: [] };
    return { problems: result.error.issues.flatMap((issue) => flatten(issue, [], data, allowedKeys)) };
  });
}

/** `fields.arr`, `match[1].by`, `fields["unit price"]`. */
export function pathText(segments: readonly (string | number)[]): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** The inverse of pathText: `match[1].by` → ['match', 1, 'by']. */
export function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const token = /(?:^|\.)([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/gy;
  for (let match = token.exec(path); match !== null; match = token.exec(path)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3]!) as string);
    if (token.lastIndex === path.length) break;
  }
  return segments;
}

// Messages for issues the embedded schemas (source configs) leave to zod's defaults.
function fallbackMessage(
  issue: z.core.$ZodRawIssue,
  allowedKeys: WeakMap<object, string[]>,
): string | undefined {
  const found = issue.input === undefined ? '; the key is missing' : `, found ${describeInput(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeWords[String(issue['expected'])] ?? String(issue['expected'])}${found}`;
    case 'invalid_value': {
      const values = (issue['values'] as unknown[]).map((v) => String(v));
      return `expected ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}${found}`;
    }
    case 'invalid_union': {
      const options = issue['options'] as unknown[] | undefined;
      if (options === undefined) return undefined;
      const input = issue.input as Record<string, unknown> | undefined;
      const key = String(issue['discriminator']);
      const value = input?.[key];
      const what = `one of ${options.map(String).join(', ')}`;
      return value === undefined
        ? `expected ${what}; the key is missing`
        : `expected ${what}, found ${describeInput(value)}`;
    }
    case 'unrecognized_keys': {
      const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod
        ?.def?.shape;
      if (shape && typeof issue.input === 'object' && issue.input !== null) {
        allowedKeys.set(issue.input, Object.keys(shape));
      }
      return 'unknown key';
    }
    case 'too_small':
      return issue['origin'] === 'string' ? `expected non-empty text${found}` : undefined;
    case 'invalid_format':
      return issue['format'] === 'url' ? `expected a URL like https://host${found}` : undefined;
    default:
      return undefined;
  }
}

const typeWords: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

function flatten(
  issue: z.core.$ZodIssue,
  prefix: (string | number)[],
  data: unknown,
  allowedKeys: WeakMap<object, string[]>,
): SegmentedProblem[] {
  return flattenIssue(issue, prefix, data, allowedKeys).map((p) => maskSecret(p, data));
}

const secretKeys = new Set(['password', 'privateKey', 'privateKeyPassphrase']);

// A password or key written in the file (even of the wrong type) is named by its kind, never quoted.
function maskSecret(problem: SegmentedProblem, data: unknown): SegmentedProblem {
  const key = problem.segments.at(-1);
  if (problem.atKey || typeof key !== 'string' || !secretKeys.has(key)) return problem;
  const value = valueAt(data, problem.segments);
  if (!isScalar(value) || value === '') return problem;
  const kind =
    typeof value === 'string' ? 'text' : typeof value === 'number' ? 'a number' : String(typeof value);
  return { ...problem, message: problem.message.split(describeInput(value)).join(kind) };
}

function flattenIssue(
  issue: z.core.$ZodIssue,
  prefix: (string | number)[],
  data: unknown,
  allowedKeys: WeakMap<object, string[]>,
): SegmentedProblem[] {
  const segments = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  if (issue.code === 'unrecognized_keys') {
    const parent = valueAt(data, segments);
    const known = (typeof parent === 'object' && parent !== null && allowedKeys.get(parent)) || [];
    const allowed = withoutExclusive(known, parent);
    return issue.keys.map((key) => ({
      segments: [...segments, key],
      message: `unknown key "${key}"${suggestion(key, allowed)}${allowed.length > 0 ? `; expected one of ${allowed.join(', ')}` : ''}`,
      atKey: true,
    }));
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the branch whose shape the value has (e.g. the long form with a bad onNull), when only
    // one branch got past its type check; otherwise the union's own "expected …" sentence.
    const typed = issue.errors.filter(
      (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
    );
    if (typed.length === 1)
      return typed[0]!.flatMap((inner) => flattenIssue(inner, segments, data, allowedKeys));
  }
  if (issue.code === 'custom' && segments.length === 1 && segments[0] === 'source') {
    return [{ segments, message: withAuthFound(issue.message, valueAt(data, segments)) }];
  }
  const words =
    segments[0] === 'source' && segments.length === 2 ? sourceKeyWords[String(segments[1])] : undefined;
  if (words !== undefined && issue.message.startsWith('expected text')) {
    return [{ segments, message: issue.message.replace('expected text', `expected ${words}`) }];
  }
  // A fixed check message ("expected an SQL query") gets what the file holds appended.
  const value = valueAt(data, segments);
  if (/^expected\b/.test(issue.message) && !/\b(found|missing)\b/.test(issue.message) && isScalar(value)) {
    return [{ segments, message: `${issue.message}, found ${describeInput(value)}` }];
  }
  return [{ segments, message: issue.message }];
}

// Keys of which a mapping takes one: the hint leaves out the other when one is already there.
const exclusiveKeys = [['list', 'target']] as const;

function withoutExclusive(allowed: readonly string[], parent: unknown): string[] {
  if (typeof parent !== 'object' || parent === null) return [...allowed];
  const dropped = new Set<string>();
  for (const group of exclusiveKeys) {
    const present = group.find((key) => key in parent);
    if (present !== undefined) for (const key of group) if (key !== present) dropped.add(key);
  }
  // Creation adds to a list: a target mapping is not offered its keys.
  if ('target' in parent) for (const key of [...listOnlyKeys, ...syncKeys]) dropped.add(key);
  return allowed.filter((key) => !dropped.has(key));
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

// What the source keys hold, for messages about a missing or mistyped one.
const sourceKeyWords: Record<string, string> = {
  url: 'a connection URL like postgres://user@host/db',
  query: 'an SQL query',
  account: 'a Snowflake account identifier like "myorg-myaccount"',
  username: 'a user name',
  path: 'a DuckDB database file path',
};

// The snowflake auth rule says what it expects; add what the file holds.
function withAuthFound(message: string, source: unknown): string {
  if (!message.startsWith('expected exactly one of') || typeof source !== 'object' || source === null)
    return message;
  const given = ['privateKey', 'privateKeyPath', 'password'].filter((k) => k in source);
  return `${message}, found ${given.length === 0 ? 'none' : given.join(' and ')}`;
}

function valueAt(data: unknown, segments: readonly (string | number)[]): unknown {
  let value = data;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function suggestion(key: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
