import type { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import { scrub } from '../log/secrets.js';
import { redisLocation } from '../queue/redis-location.js';

/** Errors that mean "Redis is out of reach" (reported once by the watch), not a fault of our own. */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && connectionCodes.has(code)) return true;
  return /Connection is closed|Stream isn't writeable|max retries per request|LOADING|connect ETIMEDOUT/i.test(
    error.message,
  );
}

/**
 * Watches the worker's Redis connection: one log line when it is lost and one when it is back
 * (never one per retry), `up` for /readyz. `quiet(emitter)` routes an emitter's 'error' events
 * (BullMQ worker, queue) here: connection errors are covered by those two lines, others are logged.
 */
export class RedisWatch {
  readonly #logger: Logger;
  readonly #location: string;
  /** Set at the first 'ready': failures before it are the start's wait, reported by waitForRedis. */
  #connected = false;
  #lostAt: number | undefined;
  #lastError: string | undefined;
  #closing = false;

  constructor(connection: Redis, url: string, logger: Logger) {
    this.#logger = logger;
    this.#location = redisLocation(url);
    connection.on('error', (error: Error) => {
      this.#lastError = scrub(error.message.split('\n')[0] ?? '');
    });
    connection.on('close', () => this.#lost());
    connection.on('ready', () => this.#back());
  }

  /** False before the first connection and from the moment it drops until it is ready again. */
  get up(): boolean {
    return this.#connected && this.#lostAt === undefined;
  }

  quiet(emitter: EventEmitter, what: string): void {
    emitter.on('error', (error: unknown) => {
      if (this.#closing || isConnectionError(error) || !this.up) return;
      this.#logger.error({ err: error }, `${what} error`);
    });
  }

  /** Shutting down: closing the connection is not an outage. */
  close(): void {
    this.#closing = true;
  }

  #lost(): void {
    if (this.#closing || !this.#connected || this.#lostAt !== undefined) return;
    this.#lostAt = Date.now();
    this.#logger.warn(
      { redis: this.#location, reason: this.#lastError ?? 'connection closed' },
      'Redis connection lost; jobs wait until it is back (running ones keep going)',
    );
  }

  #back(): void {
    this.#connected = true;
    if (this.#lostAt === undefined) return;
    const outageMs = Date.now() - this.#lostAt;
    this.#lostAt = undefined;
    this.#lastError = undefined;
    this.#logger.info({ redis: this.#location, outageMs }, 'Redis connection is back');
  }
}
