import type { z } from 'zod';

// Values interpolated from the environment, mapped to the text the file holds (`${WAREHOUSE_URL}`):
// messages show that text, never the value, which may be a secret. Set only for the duration of a
// synchronous parse (see withInputLabels), so concurrent loads cannot see each other's values.
let labels: ReadonlyMap<string, string> = new Map();

/** Runs `parse` with `interpolated` (value → text in the file) used to describe inputs in messages. */
export function withInputLabels<T>(interpolated: ReadonlyMap<string, string>, parse: () => T): T {
  const previous = labels;
  labels = interpolated;
  try {
    return parse();
  } finally {
    labels = previous;
  }
}

/** How a person would name a value they wrote: `"Foo"`, `the number 3`, `a list`. */
export function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'an empty value';
  if (typeof input === 'string') {
    const label = labels.get(input);
    if (label !== undefined) return `"${label}" (from the environment)`;
    if (input === '') return 'empty text';
    return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input);
  }
  if (typeof input === 'number' || typeof input === 'bigint') return `the number ${input}`;
  if (typeof input === 'boolean') return `${input}`;
  if (Array.isArray(input)) return 'a list';
  if (input instanceof Date) return `the date ${input.toISOString().slice(0, 10)}`;
  if (typeof input === 'object') return 'a mapping';
  return typeof input;
}

/**
 * A schema-level error map: "expected <what>, found <input>" (or "the key is missing"). Unknown keys
 * are left to the parse-level map, which lists the keys allowed.
 */
export function expected(what: string): (issue: z.core.$ZodRawIssue) => string | undefined {
  return (issue) => {
    if (issue.code === 'unrecognized_keys') return undefined;
    return issue.input === undefined
      ? `expected ${what}; the key is missing`
      : `expected ${what}, found ${describeInput(issue.input)}`;
  };
}

/** Whether `value` was read from the environment during the current parse. */
export function isFromEnvironment(value: string): boolean {
  return labels.has(value);
}
