import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HealthReport } from '../http/create-app.js';
import { scrub } from '../log/secrets.js';
import type { InvalidMappingFile } from '../queue/worker-registry.js';
import { errorMessage } from '../util/error-message.js';
import type { MappingReloader } from './mapping-reloader.js';
import type { RedisWatch } from './redis-watch.js';

/** How long a readiness check waits for Redis to answer PING, ms. */
const pingTimeoutMs = 2000;

/**
 * What GET /readyz answers: Redis answers, every scheduled mapping's job scheduler is in Redis, and
 * the mappings as loaded. A mapping file that became invalid does not fail readiness (its last
 * valid version keeps running; taking every worker out of service would stop the triggers too):
 * the check's detail and `invalid` list say what is wrong.
 */
export async function workerHealth(options: {
  connection: Redis;
  redis: RedisWatch;
  queue: Queue;
  mappings: MappingReloader;
  registered: { names: string[] };
}): Promise<HealthReport> {
  const checks: HealthReport['checks'] = {};
  const { invalid } = options.mappings.published();
  const loaded = options.mappings.running.size;
  checks['mappings'] = {
    ok: true,
    detail:
      invalid.length === 0
        ? `${loaded} loaded`
        : `${loaded} loaded; ${invalid.length} file(s) invalid: ${invalid.map(describe).join('; ')}`,
    ...(invalid.length > 0 ? { invalid } : {}),
  };
  // While the connection is down a PING would only queue behind the reconnection.
  if (!options.redis.up || options.connection.status !== 'ready') {
    checks['redis'] = { ok: false, detail: 'out of reach; reconnecting' };
    checks['schedulers'] = { ok: false, detail: 'unknown: Redis does not answer' };
    return { ok: false, checks: ordered(checks) };
  }
  try {
    await withTimeout(options.connection.ping(), pingTimeoutMs, 'no answer to PING');
    checks['redis'] = { ok: true, detail: 'answers' };
    const present = new Set((await options.queue.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key));
    const missing = options.registered.names.filter((name) => !present.has(name));
    checks['schedulers'] =
      missing.length === 0
        ? { ok: true, detail: `${options.registered.names.length} registered` }
        : {
            ok: false,
            detail: `missing in Redis: ${missing.join(', ')} (send SIGHUP or restart the worker to register them)`,
          };
  } catch (error) {
    checks['redis'] = { ok: false, detail: scrub(errorMessage(error)) };
    checks['schedulers'] = { ok: false, detail: 'unknown: Redis does not answer' };
  }
  return { ok: Object.values(checks).every((c) => c.ok), checks: ordered(checks) };
}

function describe(file: InvalidMappingFile): string {
  const kept = file.running ? `running its last valid version ${file.running.hash}` : 'nothing of it runs';
  return `${file.file} (${kept}): ${file.problems[0] ?? 'invalid'}`;
}

/** redis, schedulers, mappings: the order a person reads them in. */
function ordered(checks: HealthReport['checks']): HealthReport['checks'] {
  const { redis, schedulers, mappings, ...rest } = checks;
  return {
    ...(redis ? { redis } : {}),
    ...(schedulers ? { schedulers } : {}),
    ...(mappings ? { mappings } : {}),
    ...rest,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
