import type { Redis } from 'ioredis';
import { scrub } from '../log/secrets.js';
import { redisLocation } from './redis-location.js';

/** Redis did not answer in time: one line naming REDIS_URL (password hidden) and what to check. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/**
 * Resolves once `redis` is ready (ioredis reconnects with its own growing backoff meanwhile), or
 * rejects with RedisUnavailableError after `waitMs`. `onRetry` runs once, at the first failure.
 */
export function waitForRedis(
  redis: Redis,
  url: string,
  waitMs: number,
  onRetry?: (reason: string) => void,
): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const onError = (error: Error) => {
      if (lastError === undefined) onRetry?.(reasonOf(error));
      lastError = error;
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(unavailable(url, waitMs, lastError));
    }, waitMs);
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('error', onError);
      redis.off('ready', onReady);
    };
    redis.on('error', onError);
    redis.once('ready', onReady);
    if (redis.status === 'wait') redis.connect().catch(() => undefined);
  });
}

/** The one-line message of an unreachable Redis. */
export function unavailable(url: string, waitedMs: number, error: Error | undefined): RedisUnavailableError {
  const reason = error ? reasonOf(error) : 'no answer';
  return new RedisUnavailableError(
    `cannot reach Redis at ${redisLocation(url)} within ${Math.round(waitedMs / 1000)} s (${reason}); ${hint(error)}`,
  );
}

function reasonOf(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const text = scrub(error.message.split('\n')[0] ?? '');
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}

function hint(error: Error | undefined): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error?.message ?? '';
  if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message)) {
    return 'check the user name and password in REDIS_URL';
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'check the host name in REDIS_URL';
  if (code === 'ECONNREFUSED')
    return 'check that Redis is running and that REDIS_URL names its host and port';
  return 'check that Redis is running, that REDIS_URL names its host and port, and that no firewall is in between';
}
