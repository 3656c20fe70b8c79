import type { z } from 'zod';

/**
 * A named map from string keys to JSON values that outlives a run: facts learned from Affinity
 * (domain → company id, incremental sync state). Callers write only after the fact is confirmed,
 * so a run killed at any point leaves a store that is stale at worst, never wrong.
 */
export interface StateMap<V> {
  /** The stored values of `keys`; a key that is absent, or whose value no longer parses, is missing. */
  getMany(keys: readonly string[]): Promise<Map<string, V>>;
  setMany(entries: Iterable<readonly [string, V]>): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Every entry, in no particular order, streamed in batches. */
  entries(): AsyncIterable<[string, V]>;
  /** Number of entries. */
  size(): Promise<number>;
  clear(): Promise<void>;
}

/** Where state maps live: Redis for the worker and `run` with REDIS_URL, memory otherwise. */
export interface StateStore {
  /** The map called `name` (e.g. "mapping:portfolio:entries"); values are checked with `schema` when read. */
  map<V>(name: string, schema: z.ZodType<V>): StateMap<V>;
  /** True when the state survives this process (a run can rely on it next time). */
  readonly durable: boolean;
  close(): Promise<void>;
}
