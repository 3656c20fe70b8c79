import type { Limiter } from '../affinity/limiter.js';
import type { Logger } from '../log/logger.js';
import { registerSecret } from '../log/secrets.js';
import { InProcessLimiter } from './in-process-limiter.js';
import type { LimiterOptions } from './limiter-options.js';
import { RedisLimiter } from './redis-limiter.js';

/** What `run` and the worker pass: Redis when a URL is given, else a limiter for this process only. */
export interface CreateLimiterOptions extends LimiterOptions {
  apiKey: string;
  redisUrl?: string;
  logger?: Logger;
  /** Prefix of every Redis key, colon included (QUEUE_PREFIX + ":"); keys are `<prefix>limiter:{sha256}:…`. @defaultValue "affinity-sync:" */
  keyPrefix?: string;
  /** Seconds Redis may stay unreachable before acquire() gives up. @defaultValue 60 */
  outageSeconds?: number;
}

export async function createLimiter(options: CreateLimiterOptions): Promise<Limiter> {
  registerSecret(options.apiKey);
  const { redisUrl, apiKey, ...rest } = options;
  if (redisUrl) return new RedisLimiter({ ...rest, apiKey, redis: redisUrl });
  return new InProcessLimiter(rest);
}
