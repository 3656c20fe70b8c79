import type { Redis } from 'ioredis';
import type { Env } from '../config/env.js';
import { registerSecret } from '../log/secrets.js';
import { openRedis, requireRedisUrl } from './redis-connection.js';
import { waitForRedis } from './wait-for-redis.js';

/** How long a short-lived command waits for Redis before it gives up, ms (well inside 10 s). */
export const commandRedisWaitMs = 5000;

/**
 * The Redis connection of a short-lived command (`status`, `backfill`, `history`): REDIS_URL must
 * be set (EnvError, exit 2) and answer within `waitMs` (RedisUnavailableError: one line naming
 * REDIS_URL with its password hidden, exit 1). Connection errors never print ioredis dumps;
 * commands sent after a loss fail after one retry instead of waiting for Redis.
 */
export async function connectRedisForCommand(
  env: Env,
  commandName: string,
  options: { waitMs?: number } = {},
): Promise<Redis> {
  const url = requireRedisUrl(env, commandName);
  registerSecret(passwordOf(url));
  const redis = openRedis(url, { lazy: true });
  // Failures reach the caller as rejected commands or as the error below; the event adds nothing.
  redis.on('error', () => undefined);
  try {
    await waitForRedis(redis, url, options.waitMs ?? commandRedisWaitMs);
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  return redis;
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
