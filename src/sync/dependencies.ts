import { AllowanceWatch } from '../affinity/allowance-watch.js';
import { AffinityClient } from '../affinity/client.js';
import type { Env } from '../config/env.js';
import { requireApiKey } from '../config/env.js';
import { createLimiter } from '../limiter/create-limiter.js';
import type { Logger } from '../log/logger.js';
import { registerSecret } from '../log/secrets.js';
import { openSource } from '../sources/open-source.js';
import type { SyncDependencies } from './sync-options.js';

/**
 * Builds what a run needs from the environment: the Affinity client, the limiter (shared through
 * Redis when REDIS_URL is set, else in-process; the monthly allowance it reports remembered) and the
 * source factory. `close()` releases them.
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
    keyPrefix: `${env.QUEUE_PREFIX}:limiter`,
    safetyMargin: env.RATE_LIMIT_MARGIN,
    quotaReserve: env.QUOTA_RESERVE,
    logger,
  });
  // Remembers the monthly allowance each response reports, for the quota forecast.
  const limiter = new AllowanceWatch(paced);
  const client = new AffinityClient({ apiKey, baseUrl: env.AFFINITY_BASE_URL, limiter, logger });
  return {
    client,
    limiter,
    logger,
    allowance: () => limiter.allowance(),
    openSource: (config) => openSource(config, { logger, mappingName }),
    close: () => limiter.close(),
  };
}
