import { Redis } from 'ioredis';
import type { Env } from '../config/env.js';
import { EnvError } from '../config/env.js';

/** REDIS_URL, or an error saying why the command needs it and how to set it. */
export function requireRedisUrl(env: Env, commandName: string): string {
  if (!env.REDIS_URL) {
    throw new EnvError(
      `REDIS_URL is not set: affinity-sync ${commandName} keeps its queue, schedules and history in Redis; ` +
        'export REDIS_URL=redis://host:6379',
    );
  }
  return env.REDIS_URL;
}

/**
 * One ioredis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ requires of
 * worker connections (blocking commands must wait out a Redis restart instead of failing).
 * `lazy`: connect on the first command or `connect()` (the caller waits for it with a deadline).
 */
export function openRedis(url: string, options: { forWorker?: boolean; lazy?: boolean } = {}): Redis {
  // A CLI call gives up after a few retries when Redis is down instead of waiting forever.
  return new Redis(url, {
    maxRetriesPerRequest: options.forWorker ? null : 3,
    // A socket still connecting to a dead host would otherwise hold the process 2 s after disconnect().
    disconnectTimeout: 200,
    ...(options.lazy ? { lazyConnect: true } : {}),
  });
}
