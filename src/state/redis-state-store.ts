import { Redis } from 'ioredis';
import type { z } from 'zod';
import { parseStored } from './memory-state-store.js';
import type { StateMap, StateStore } from './state-store.js';

// Commands are sent in chunks so a 50,000-entry map never becomes one huge request or reply.
const chunkSize = 1000;

export interface RedisStateStoreOptions {
  /** A URL (the store opens and closes its own connection) or a connection the caller owns. */
  redis: string | Redis;
  /** Prefix of every key. @defaultValue "affinity-sync:" */
  keyPrefix?: string;
}

/** State maps as Redis hashes under `<prefix>state:<name>`, shared by every process on the Redis. */
export class RedisStateStore implements StateStore {
  readonly durable = true;
  private readonly redis: Redis;
  private readonly owned: boolean;
  private readonly keyPrefix: string;

  constructor(options: RedisStateStoreOptions) {
    this.owned = typeof options.redis === 'string';
    this.redis =
      typeof options.redis === 'string'
        ? new Redis(options.redis, { maxRetriesPerRequest: 3, lazyConnect: true })
        : options.redis;
    this.keyPrefix = options.keyPrefix ?? 'affinity-sync:';
  }

  map<V>(name: string, schema: z.ZodType<V>): StateMap<V> {
    return new RedisStateMap(this.redis, `${this.keyPrefix}state:${name}`, schema);
  }

  async close(): Promise<void> {
    if (this.owned) this.redis.disconnect();
  }
}

class RedisStateMap<V> implements StateMap<V> {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly schema: z.ZodType<V>,
  ) {}

  async getMany(keys: readonly string[]): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    for (const part of chunks(keys)) {
      const texts = await this.redis.hmget(this.key, ...part);
      part.forEach((field, i) => {
        const value = parseStored(texts[i], this.schema);
        if (value !== undefined) found.set(field, value.data);
      });
    }
    return found;
  }

  async setMany(entries: Iterable<readonly [string, V]>): Promise<void> {
    const flat: string[] = [];
    for (const [field, value] of entries) flat.push(field, JSON.stringify(value));
    for (let i = 0; i < flat.length; i += chunkSize * 2) {
      await this.redis.hset(this.key, ...flat.slice(i, i + chunkSize * 2));
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const part of chunks(keys)) await this.redis.hdel(this.key, ...part);
  }

  async *entries(): AsyncIterable<[string, V]> {
    // HSCAN may return a field twice when the hash is rehashed during the scan.
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.key, cursor, 'COUNT', chunkSize);
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const field = flat[i] as string;
        const value = parseStored(flat[i + 1], this.schema);
        if (value === undefined || seen.has(field)) continue;
        seen.add(field);
        yield [field, value.data];
      }
      cursor = next;
    } while (cursor !== '0');
  }

  async size(): Promise<number> {
    return this.redis.hlen(this.key);
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key);
  }
}

function* chunks(keys: readonly string[]): Iterable<string[]> {
  for (let i = 0; i < keys.length; i += chunkSize) yield keys.slice(i, i + chunkSize);
}
