import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';

/** PostgreSQL URL resolved by the global setup. */
export function databaseUrl(): string {
  return inject('databaseUrl');
}

/** Redis URL resolved by the global setup. */
export function redisUrl(): string {
  return inject('redisUrl');
}

/** A name unique to this test run, for schemas, key prefixes and queue names. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/**
 * Creates a fresh schema for one test file and returns a connection URL whose search_path is it,
 * plus a drop function for afterAll.
 */
export async function isolatedSchema(
  prefix = 't',
): Promise<{ schema: string; url: string; drop: () => Promise<void> }> {
  const schema = uniqueName(prefix).toLowerCase();
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = new URL(databaseUrl());
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: databaseUrl() });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

/** A Redis connection plus a unique key prefix; `cleanup` deletes every key under the prefix. */
export async function isolatedRedis(
  prefix = 'test',
): Promise<{ redis: Redis; prefix: string; cleanup: () => Promise<void> }> {
  const keyPrefix = `${uniqueName(prefix)}:`;
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 3 });
  return {
    redis,
    prefix: keyPrefix,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
