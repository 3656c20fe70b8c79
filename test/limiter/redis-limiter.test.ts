import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimiterUnavailableError } from '../../src/limiter/limiter-errors.js';
import { RedisLimiter } from '../../src/limiter/redis-limiter.js';
import { RedisServer } from '../support/redis-server.js';
import { uniqueName } from '../support/services.js';

// Redis trouble, on a redis-server of this file's own so killing it disturbs nobody.

let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.destroy();
});

function limiter(outageSeconds: number): RedisLimiter {
  return new RedisLimiter({
    apiKey: uniqueName('key'),
    redis: redis.url,
    keyPrefix: `${uniqueName('limiter')}:`,
    limit: 6000,
    windowSeconds: 5,
    outageSeconds,
  });
}

describe('RedisLimiter when Redis goes away', () => {
  it('holds acquire() while Redis is down and continues when it returns', async () => {
    const shared = limiter(30);
    try {
      await (await shared.acquire()).release({ kind: 'response', status: 200, headers: {} });
      await redis.kill();
      let granted = false;
      const waiting = shared.acquire().then((permit) => {
        granted = true;
        return permit;
      });
      // A restart that takes a moment; nothing may be granted meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(granted).toBe(false);
      await redis.start();
      const permit = await waiting;
      expect(granted).toBe(true);
      await permit.release({ kind: 'response', status: 200, headers: {} });
      expect(shared.waitedMs).toBeGreaterThanOrEqual(400);
    } finally {
      await shared.close();
    }
  });

  it('rejects with LimiterUnavailableError once the outage outlasts the bound', async () => {
    const shared = limiter(1);
    try {
      const permit = await shared.acquire();
      await redis.kill();
      // release() does not throw: the next acquire() reports the outage.
      await permit.release({ kind: 'response', status: 200, headers: {} });
      const started = Date.now();
      const error = await shared.acquire().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LimiterUnavailableError);
      expect(Date.now() - started).toBeLessThan(1500);
      expect((error as Error).message).toBe(
        `The rate limiter's Redis at 127.0.0.1:${redis.port} has not answered for 1 s (last error: connect ` +
          `ECONNREFUSED 127.0.0.1:${redis.port}). Requests to Affinity are held back rather than sent unpaced, ` +
          'so this run stops. Check that Redis is running and reachable (REDIS_URL), then run again.',
      );
    } finally {
      await shared.close();
      await redis.start();
    }
  });
});
