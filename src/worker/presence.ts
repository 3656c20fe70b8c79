import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log/logger.js';
import {
  type InvalidMappingFile,
  type PublishedMapping,
  presenceIntervalMs,
  type WorkerRegistry,
} from '../queue/worker-registry.js';

/** A worker id: host, pid and a random part (pids repeat across containers). */
export function newWorkerId(): string {
  return `${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`;
}

/**
 * Keeps this worker's presence in the registry: published now, again every `presenceIntervalMs`
 * and at once when `changed()` is called (a mapping reload), skipped while Redis is down (the key
 * may expire meanwhile; the next publish brings it back). `stop()` removes it.
 */
export function publishPresence(options: {
  registry: WorkerRegistry;
  id: string;
  logger: Logger;
  redisUp: () => boolean;
  loaded: () => { mappings: PublishedMapping[]; invalid: InvalidMappingFile[] };
}): { published: Promise<void>; changed: () => void; stop: () => Promise<void> } {
  const startedAt = new Date().toISOString();
  let failing = false;
  const publish = async () => {
    if (!options.redisUp()) return;
    try {
      await options.registry.publish({
        id: options.id,
        host: hostname(),
        pid: process.pid,
        startedAt,
        publishedAt: new Date().toISOString(),
        ...options.loaded(),
      });
      failing = false;
    } catch (error) {
      // The Redis watch reports outages; anything else is said once until it heals.
      if (!failing && options.redisUp())
        options.logger.warn({ err: error }, 'could not publish the worker’s presence');
      failing = true;
    }
  };
  const timer = setInterval(() => void publish(), presenceIntervalMs);
  timer.unref();
  return {
    published: publish(),
    changed: () => void publish(),
    stop: async () => {
      clearInterval(timer);
      await options.registry.remove(options.id).catch(() => undefined);
    },
  };
}
