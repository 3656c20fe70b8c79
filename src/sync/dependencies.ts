import { AffinityClient } from '../affinity/client.js';
import type { Env } from '../config/env.js';
import { requireApiKey } from '../config/env.js';
import { createLimiter } from '../limiter/create-limiter.js';
import type { Logger } from '../log/logger.js';
import { registerSecret } from '../log/secrets.js';
import { openSource } from '../sources/open-source.js';
import { MemoryStateStore } from '../state/memory-state-store.js';
import { RedisStateStore } from '../state/redis-state-store.js';
import { EntityLookup } from './entity-lookup.js';
import type { SyncDependencies } from './sync-options.js';

/**
 * Builds what a run needs from the environment: the Affinity client, the limiter (shared through
 * Redis when REDIS_URL is set, else in-process), the source factory and the entity lookup (its
 * cache in Redis, else in memory). `close()` releases them.
 */
export async function createSyncDependencies(
  env: Env,
  logger: Logger,
  mappingName: string,
): Promise<SyncDependencies & { close: () => Promise<void> }> {
  const apiKey = requireApiKey(env);
  registerSecret(apiKey);
  const limiter = await createLimiter({
    apiKey,
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    keyPrefix: `${env.QUEUE_PREFIX}:limiter`,
    safetyMargin: env.RATE_LIMIT_MARGIN,
    quotaReserve: env.QUOTA_RESERVE,
    logger,
  });
  const client = new AffinityClient({ apiKey, baseUrl: env.AFFINITY_BASE_URL, limiter, logger });
  // Lookups learned (and companies created) are kept in Redis when there is one, so runs share them.
  const state = env.REDIS_URL
    ? new RedisStateStore({ redis: env.REDIS_URL, keyPrefix: `${env.QUEUE_PREFIX}:` })
    : new MemoryStateStore();
  return {
    client,
    limiter,
    logger,
    openSource: (config) => openSource(config, { logger, mappingName }),
    lookup: new EntityLookup({ client, state, apiKey, logger }),
    close: async () => {
      await limiter.close();
      await state.close();
    },
  };
}
