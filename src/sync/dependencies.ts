import { AllowanceWatch } from '../affinity/allowance-watch.js';
import { AffinityClient } from '../affinity/client.js';
import type { Env } from '../config/env.js';
import { requireApiKey } from '../config/env.js';
import { createLimiter } from '../limiter/create-limiter.js';
import type { Logger } from '../log/logger.js';
import { registerSecret } from '../log/secrets.js';
import { openSource } from '../sources/open-source.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { RedisStateStore } from '../state/redis-state-store.js';
import type { StateStore } from '../state/state-store.js';
import { EntityLookup } from './entity-lookup.js';
import type { SyncDependencies } from './sync-options.js';

/**
 * Builds what a run needs from the environment: the Affinity client, the limiter (shared through
 * Redis when REDIS_URL is set, else in-process; the monthly allowance it reports remembered), the
 * source factory and the entity lookup (its cache in Redis when REDIS_URL is set, so later runs and
 * other processes reuse it, else for this process only). `close()` releases them.
 */
export async function createSyncDependencies(
  env: Env,
  logger: Logger,
  mappingName: string,
): Promise<SyncDependencies & { close: () => Promise<void> }> {
  const apiKey = requireApiKey(env);
  registerSecret(apiKey);
  const paced = await createLimiter({
    apiKey,
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    keyPrefix: `${env.QUEUE_PREFIX}:`,
    safetyMargin: env.RATE_LIMIT_MARGIN,
    windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
    quotaReserve: env.QUOTA_RESERVE,
    logger,
  });
  // Remembers the monthly allowance each response reports, for the quota forecast.
  const limiter = new AllowanceWatch(paced);
  const client = new AffinityClient({ apiKey, baseUrl: env.AFFINITY_BASE_URL, limiter, logger });
  const state: StateStore = env.REDIS_URL
    ? new RedisStateStore({ redis: env.REDIS_URL, keyPrefix: `${env.QUEUE_PREFIX}:` })
    : new MemoryStateStore();
  return {
    client,
    limiter,
    logger,
    allowance: () => limiter.allowance(),
    openSource: (config) => openSource(config, { logger, mappingName }),
    state,
    lookup: new EntityLookup({ client, state, apiKey, logger }),
    close: async () => {
      await limiter.close();
      await state.close();
    },
  };
}
