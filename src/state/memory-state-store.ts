import type { z } from 'zod';
import type { StateMap, StateStore } from './state-store.js';

/** State for this process only (tests, `run` without Redis): nothing survives the process. */
export class MemoryStateStore implements StateStore {
  readonly durable = false;
  private readonly maps = new Map<string, Map<string, string>>();

  map<V>(name: string, schema: z.ZodType<V>): StateMap<V> {
    let stored = this.maps.get(name);
    if (!stored) {
      stored = new Map();
      this.maps.set(name, stored);
    }
    return new MemoryStateMap(stored, schema);
  }

  async close(): Promise<void> {}
}

class MemoryStateMap<V> implements StateMap<V> {
  // Values are kept as JSON text so callers never share mutable objects with the store.
  constructor(
    private readonly stored: Map<string, string>,
    private readonly schema: z.ZodType<V>,
  ) {}

  async getMany(keys: readonly string[]): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    for (const key of keys) {
      const value = parseStored(this.stored.get(key), this.schema);
      if (value !== undefined) found.set(key, value.data);
    }
    return found;
  }

  async setMany(entries: Iterable<readonly [string, V]>): Promise<void> {
    for (const [key, value] of entries) this.stored.set(key, JSON.stringify(value));
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.stored.delete(key);
  }

  async *entries(): AsyncIterable<[string, V]> {
    for (const [key, text] of [...this.stored]) {
      const value = parseStored(text, this.schema);
      if (value !== undefined) yield [key, value.data];
    }
  }

  async size(): Promise<number> {
    return this.stored.size;
  }

  async clear(): Promise<void> {
    this.stored.clear();
  }
}

/** A stored JSON text checked against its schema; undefined when absent or no longer valid. */
export function parseStored<V>(
  text: string | null | undefined,
  schema: z.ZodType<V>,
): { data: V } | undefined {
  if (text === null || text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { data: parsed.data } : undefined;
}
