import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type AttemptResult, type Limiter, oncePermit, type Permit } from '../affinity/limiter.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import { abortableSleep } from '../util/abortable-sleep.js';
import { errorMessage } from '../util/error-message.js';
import { LimiterUnavailableError, QuotaExhaustedError } from './limiter-errors.js';
import {
  type LimiterOptions,
  type ResolvedLimiterOptions,
  resolveLimiterOptions,
} from './limiter-options.js';
import { limiterKeys, RedisPacingStore } from './redis-pacing-store.js';

/** Options of the shared limiter. */
export interface RedisLimiterOptions extends LimiterOptions {
  /** The Affinity API key; only its SHA-256 hash reaches Redis. */
  apiKey: string;
  /** A Redis URL (the limiter opens and closes its own connection) or a connection the caller owns. */
  redis: string | Redis;
  /** Prefix of every Redis key, colon included (QUEUE_PREFIX + ":"); keys are `<prefix>limiter:{sha256}:…`. @defaultValue "affinity-sync:" */
  keyPrefix?: string;
  /** Seconds Redis may stay unreachable before acquire() gives up. @defaultValue 60 */
  outageSeconds?: number;
  logger?: Logger;
}

/** First and longest pause between attempts while Redis is unreachable, milliseconds. */
const retryFirstMs = 100;
const retryMaxMs = 1000;
/** Reply errors that mean "Redis is there but not ready"; anything else from Redis is a bug. */
const transientReply = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/;

function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return transientReply.test(error.message);
  return true;
}

/** host:port/db of a Redis URL, without credentials, for messages. */
function describeRedis(redis: string | Redis): string {
  if (typeof redis !== 'string') return `${redis.options.host ?? 'localhost'}:${redis.options.port ?? 6379}`;
  try {
    const url = new URL(redis);
    return `${url.hostname}:${url.port || 6379}${url.pathname.length > 1 ? url.pathname : ''}`;
  } catch {
    return 'the configured REDIS_URL';
  }
}

/**
 * The limiter shared by every process using one API key: each decision is one atomic Lua script
 * run on Redis's clock. While Redis is unreachable acquire() waits (never sends unpaced); after
 * `outageSeconds` it rejects with LimiterUnavailableError.
 */
export class RedisLimiter implements Limiter {
  readonly #options: ResolvedLimiterOptions;
  readonly #redis: Redis;
  readonly #ownsConnection: boolean;
  readonly #store: RedisPacingStore;
  readonly #location: string;
  readonly #outageMs: number;
  readonly #logger: Logger;
  readonly #injectClock: boolean;
  #outageSince: number | undefined;
  /** The connection's own error (e.g. ECONNREFUSED), clearer than the failed command's. */
  #connectionError: Error | undefined;
  readonly #onConnectionError = (error: Error): void => {
    this.#connectionError = error;
    this.#logger.debug({ err: error.message }, 'limiter Redis connection error');
  };
  #waitedMs = 0;

  constructor(options: RedisLimiterOptions) {
    this.#options = resolveLimiterOptions(options);
    this.#injectClock = options.now !== undefined;
    this.#logger = options.logger ?? silentLogger;
    this.#location = describeRedis(options.redis);
    this.#outageMs = (options.outageSeconds ?? 60) * 1000;
    this.#ownsConnection = typeof options.redis === 'string';
    this.#redis =
      typeof options.redis === 'string'
        ? new Redis(options.redis, {
            // Fail commands at once while disconnected; acquire() owns the waiting and the bound.
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            commandTimeout: 5000,
            retryStrategy: (times) => Math.min(times * retryFirstMs, retryMaxMs),
          })
        : options.redis;
    this.#redis.on('error', this.#onConnectionError);
    const keys = limiterKeys(options.apiKey, options.keyPrefix ?? 'affinity-sync:');
    this.#store = new RedisPacingStore(this.#redis, keys, this.#options.settings, this.#options.slotTtlMs);
  }

  get waitedMs(): number {
    return this.#waitedMs;
  }

  /** The clock passed to the script: only an injected one; production lets Redis use TIME. */
  #scriptNow(): number | undefined {
    return this.#injectClock ? this.#options.now() : undefined;
  }

  async acquire(signal?: AbortSignal): Promise<Permit> {
    const started = Date.now();
    try {
      for (;;) {
        signal?.throwIfAborted();
        const token = randomUUID();
        const decision = await this.#withRedis(() => this.#store.acquire(token, this.#scriptNow()), signal);
        // The permit frees its own slot, whichever request finishes first.
        if (decision.kind === 'go') return oncePermit((result) => this.#release(token, result));
        if (decision.kind === 'quota') {
          throw new QuotaExhaustedError(decision.remaining, decision.reserved, new Date(decision.resetsAt));
        }
        await abortableSleep(decision.waitMs, signal);
      }
    } finally {
      this.#waitedMs += Date.now() - started;
    }
  }

  async #release(token: string, result: AttemptResult): Promise<void> {
    if (result.kind === 'response' && result.status === 429) {
      this.#logger.warn(
        { remaining: result.headers.userRemaining, resetSeconds: result.headers.userReset },
        'Affinity answered 429; every process using this API key pauses',
      );
    }
    try {
      await this.#withRedis(() =>
        this.#store.observe(token, result, this.#options.random(), this.#scriptNow()),
      );
    } catch (error) {
      // The next acquire() reports the outage; the slot frees itself when its TTL ends.
      if (!(error instanceof LimiterUnavailableError)) throw error;
      this.#logger.warn({ err: error.message }, 'limiter could not record a response');
    }
  }

  async close(): Promise<void> {
    this.#redis.off('error', this.#onConnectionError);
    if (!this.#ownsConnection) return;
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }

  /** Resolves once the connection is ready (a command sent before would fail at once), or after `ms`. */
  async #ready(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#redis.status === 'ready') return;
    signal?.throwIfAborted();
    // Not events.once: it would reject on the connection's 'error' events, which are expected here.
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        this.#redis.off('ready', done);
        signal?.removeEventListener('abort', aborted);
      };
      const done = () => {
        cleanup();
        resolve();
      };
      const aborted = () => {
        cleanup();
        reject(signal?.reason);
      };
      const timer = setTimeout(done, ms);
      this.#redis.on('ready', done);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  /** Runs one Redis call, waiting through an outage up to the bound. */
  async #withRedis<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let pauseMs = retryFirstMs;
    for (;;) {
      await this.#ready(pauseMs, signal);
      try {
        const result = await call();
        if (this.#outageSince !== undefined) {
          this.#logger.info({ outageMs: Date.now() - this.#outageSince }, 'limiter Redis is back');
          this.#outageSince = undefined;
        }
        this.#connectionError = undefined;
        return result;
      } catch (error) {
        if (!isTransient(error)) throw error;
        const now = Date.now();
        if (this.#outageSince === undefined) {
          this.#outageSince = now;
          this.#logger.warn(
            { redis: this.#location, err: errorMessage(error) },
            'limiter Redis unreachable; requests wait',
          );
        }
        const outage = now - this.#outageSince;
        if (outage >= this.#outageMs) {
          throw new LimiterUnavailableError(this.#location, outage, this.#connectionError ?? error);
        }
        if (this.#redis.status === 'ready') await abortableSleep(pauseMs, signal);
        pauseMs = Math.min(pauseMs * 2, retryMaxMs, Math.max(this.#outageMs - outage, 1));
      }
    }
  }
}
