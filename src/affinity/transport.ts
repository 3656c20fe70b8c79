import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { type Logger, silentLogger } from '../log/logger.js';
import { registerSecret } from '../log/secrets.js';
import { errorCode } from '../util/error-code.js';
import { version } from '../util/version.js';
import { AffinityApiError } from './affinity-api-error.js';
import { type BackoffOptions, backoffDelayMs } from './backoff.js';
import type { AttemptResult, Limiter } from './limiter.js';
import { PassThroughLimiter } from './pass-through-limiter.js';
import { parseRateLimitHeaders } from './rate-limit-headers.js';

export interface TransportOptions {
  /** Affinity API key, sent as a bearer token (as the Basic password on v1). */
  apiKey: string;
  /** Origin (and optional path prefix) of the API; callers pass AFFINITY_BASE_URL from src/config/env.ts. @defaultValue 'https://api.affinity.co' */
  baseUrl?: string | undefined;
  /** Grants a permit before every attempt and is told every result; alone decides waits after a 429. @defaultValue a pass-through limiter */
  limiter?: Limiter | undefined;
  /** @defaultValue silent */
  logger?: Logger | undefined;
  /** Retries after network errors, timeouts and 5xx, per call. @defaultValue 5 */
  maxRetries?: number | undefined;
  /** Retries after 429, per call. @defaultValue 20 */
  maxRateLimitRetries?: number | undefined;
  /** Per-attempt timeout, in ms, covering the response body. @defaultValue 30_000 */
  timeoutMs?: number | undefined;
  /** Delays before retrying network errors, timeouts and 5xx (429 waits are the limiter's). @defaultValue 250 ms base, 10_000 ms cap, full jitter */
  backoff?: BackoffOptions | undefined;
  /** Source of jitter in [0, 1). @defaultValue Math.random */
  random?: (() => number) | undefined;
  /** Aborts limiter waits, retry pauses and requests in flight (e.g. on shutdown). */
  signal?: AbortSignal | undefined;
}

/** Requests sent, counting every attempt including retries. */
export interface CallCounts {
  total: number;
  /** GET attempts. */
  read: number;
  /** PATCH / POST attempts (a POST that only reads, such as search, counts as a read). */
  write: number;
  /** Attempts that repeated an earlier one (after a network error, 5xx or 429). */
  retried: number;
  /** 429 responses received. */
  rateLimited: number;
}

export type HttpMethod = 'GET' | 'PATCH' | 'POST';
export type QueryValue = string | number | readonly (string | number)[] | undefined;

export interface RequestSpec<T> {
  method: HttpMethod;
  url: URL;
  schema: z.ZodType<T>;
  body?: unknown;
  /** v1 endpoints take HTTP Basic with the key as password. @defaultValue 'bearer' */
  auth?: 'bearer' | 'basic';
  /** false for a create: after a network error, timeout or 5xx it is not resent (429s still are). @defaultValue true */
  idempotent?: boolean;
  /** A POST that only reads (search): counted as a read. @defaultValue false */
  reads?: boolean;
}

type AttemptOutcome =
  | { kind: 'response'; status: number; result: AttemptResult; text: string }
  | { kind: 'error'; error: unknown };

const userAgent = `affinity-sync/${version}`;
/** Affinity's own API, when no base URL is given. */
export const defaultBaseUrl = 'https://api.affinity.co';

/**
 * Sends one logical request to Affinity: auth, limiter protocol, timeouts, retries with backoff,
 * call counting, and parsing of the response with a zod schema. Knows no endpoints, and never
 * waits for rate-limit reasons: a 429 is retried on a new permit, which the limiter grants when it
 * sees fit.
 */
export class AffinityTransport {
  readonly calls: CallCounts = { total: 0, read: 0, write: 0, retried: 0, rateLimited: 0 };
  readonly baseUrl: URL;
  private readonly basePath: string;
  private readonly bearer: string;
  private readonly basic: string;
  private readonly limiter: Limiter;
  private readonly logger: Logger;
  private readonly maxRetries: number;
  private readonly maxRateLimitRetries: number;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly signal: AbortSignal | undefined;

  constructor(options: TransportOptions) {
    const apiKey = options.apiKey.trim();
    if (apiKey === '')
      throw new Error(
        'The Affinity API key is empty: set AFFINITY_API_KEY to a key from Affinity Settings → API',
      );
    // Control characters or spaces would make fetch throw a TypeError that looks like a network error.
    if (/[\s\p{Cc}]/u.test(apiKey))
      throw new Error('The Affinity API key contains spaces or control characters: check AFFINITY_API_KEY');
    registerSecret(apiKey);
    // Configuration arrives as options only: this module reads no environment.
    const base = options.baseUrl ?? defaultBaseUrl;
    try {
      this.baseUrl = new URL(base);
    } catch {
      throw new Error(
        `The Affinity base URL "${base}" is not a URL: check AFFINITY_BASE_URL (e.g. https://api.affinity.co)`,
      );
    }
    if (this.baseUrl.protocol !== 'https:' && this.baseUrl.protocol !== 'http:') {
      throw new Error(`The Affinity base URL "${base}" must start with https:// or http://`);
    }
    this.basePath = this.baseUrl.pathname.replace(/\/+$/, '');
    this.bearer = `Bearer ${apiKey}`;
    this.basic = `Basic ${Buffer.from(`:${apiKey}`).toString('base64')}`;
    this.limiter = options.limiter ?? new PassThroughLimiter();
    this.logger = options.logger ?? silentLogger;
    this.maxRetries = options.maxRetries ?? 5;
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 20;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.backoff = options.backoff ?? {};
    this.random = options.random ?? Math.random;
    this.signal = options.signal;
  }

  /** The URL of `path` (beginning with "/") under the base URL; array values repeat the parameter. */
  url(path: string, query: Record<string, QueryValue> = {}): URL {
    const url = new URL(this.basePath + path, this.baseUrl.origin);
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) url.searchParams.append(name, String(v));
    }
    return url;
  }

  /**
   * Checks a `pagination.nextUrl` before following it verbatim: it must be on the base URL's
   * origin, because following it sends the API key.
   */
  nextPageUrl(nextUrl: string, current: URL): URL {
    let next: URL;
    try {
      next = new URL(nextUrl);
    } catch {
      throw new AffinityApiError({
        method: 'GET',
        path: current.pathname,
        status: 200,
        detail: `pagination.nextUrl "${nextUrl}" is not an absolute URL`,
      });
    }
    if (next.origin !== this.baseUrl.origin) {
      throw new AffinityApiError({
        method: 'GET',
        path: current.pathname,
        status: 200,
        detail:
          `pagination.nextUrl points to ${next.origin}, not ${this.baseUrl.origin}; ` +
          'refusing to send the API key to another host (check AFFINITY_BASE_URL)',
      });
    }
    if (next.href === current.href) {
      throw new AffinityApiError({
        method: 'GET',
        path: current.pathname,
        status: 200,
        detail: 'pagination.nextUrl repeats the page just read; stopping to avoid an endless loop',
      });
    }
    return next;
  }

  /** Sends the request, retrying as the policy allows, and returns the parsed 2xx body. */
  async request<T>(spec: RequestSpec<T>): Promise<T> {
    const { method } = spec;
    const path = spec.url.pathname;
    let attempt = 0;
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      attempt += 1;
      const outcome = await this.attempt(spec, attempt);

      if (outcome.kind === 'error') {
        if (this.signal?.aborted) throw this.signal.reason;
        const reason = describeNetworkError(outcome.error, this.timeoutMs);
        if (reason === undefined) throw outcome.error;
        if (failures >= this.maxRetries || spec.idempotent === false) {
          throw new AffinityApiError({
            method,
            path,
            status: 0,
            detail: `${reason}; ${gaveUp(spec, attempt)}`,
            retryable: true,
            cause: outcome.error,
          });
        }
        const delayMs = backoffDelayMs(failures, this.backoff, this.random);
        failures += 1;
        this.logger.warn(
          { method, path, status: 0, attempt, delayMs, reason },
          'Affinity request failed; retrying',
        );
        await sleep(delayMs, undefined, { signal: this.signal });
        continue;
      }

      const { status, text, result } = outcome;
      if (status >= 200 && status < 300) return this.parse(spec, status, text);
      if (status === 429) {
        rateLimited += 1;
        this.calls.rateLimited += 1;
        if (rateLimited > this.maxRateLimitRetries) {
          throw AffinityApiError.fromResponse(
            {
              method,
              path,
              status,
              retryable: true,
              detail: `gave up after ${rateLimited} rate-limited attempts`,
            },
            text,
          );
        }
        // No pause here: the next permit comes when the limiter, told this 429, allows it.
        this.logger.debug(
          { method, path, status, attempt, headers: result.kind === 'response' ? result.headers : {} },
          'Affinity rate limit hit; retrying',
        );
        continue;
      }
      if (status >= 500) {
        if (failures >= this.maxRetries || spec.idempotent === false) {
          throw AffinityApiError.fromResponse(
            { method, path, status, retryable: true, detail: gaveUp(spec, attempt) },
            text,
          );
        }
        const delayMs = backoffDelayMs(failures, this.backoff, this.random);
        failures += 1;
        this.logger.warn({ method, path, status, attempt, delayMs }, 'Affinity request failed; retrying');
        await sleep(delayMs, undefined, { signal: this.signal });
        continue;
      }
      // 400/401/403/404/422 and the rest: sending the same request again cannot help.
      throw AffinityApiError.fromResponse({ method, path, status }, text);
    }
  }

  /** One attempt under the limiter protocol: a permit, the request, then the permit told the result. */
  private async attempt<T>(spec: RequestSpec<T>, attempt: number): Promise<AttemptOutcome> {
    const permit = await this.limiter.acquire(this.signal);
    let result: AttemptResult = { kind: 'no-response' };
    let outcome: AttemptOutcome;
    try {
      this.count(spec.reads ? 'GET' : spec.method, attempt);
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const signal = this.signal === undefined ? timeout : AbortSignal.any([timeout, this.signal]);
      const response = await fetch(spec.url, {
        method: spec.method,
        headers: this.headers(spec),
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        signal,
      });
      // The server answered (and counted the request) even if its body then fails to arrive.
      result = {
        kind: 'response',
        status: response.status,
        headers: parseRateLimitHeaders(response.headers),
      };
      const text = await response.text();
      outcome = { kind: 'response', status: response.status, result, text };
    } catch (error) {
      outcome = { kind: 'error', error };
    }
    await permit.release(result);
    return outcome;
  }

  private headers(spec: RequestSpec<unknown>): Record<string, string> {
    const headers: Record<string, string> = {
      authorization: spec.auth === 'basic' ? this.basic : this.bearer,
      accept: 'application/json',
      'user-agent': userAgent,
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    return headers;
  }

  private count(method: HttpMethod, attempt: number): void {
    this.calls.total += 1;
    if (method === 'GET') this.calls.read += 1;
    else this.calls.write += 1;
    if (attempt > 1) this.calls.retried += 1;
  }

  private parse<T>(spec: RequestSpec<T>, status: number, text: string): T {
    const base = { method: spec.method, path: spec.url.pathname, status };
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new AffinityApiError({
        ...base,
        detail: `the response is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
      });
    }
    const parsed = spec.schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'body' : formatIssuePath(issue.path);
    throw new AffinityApiError({
      ...base,
      detail: `the response does not have the expected shape: ${where}: ${issue?.message ?? 'invalid'}`,
      cause: parsed.error,
    });
  }
}

// A create's outcome is unknown after a lost response: the caller checks before creating again.
function gaveUp(spec: RequestSpec<unknown>, attempt: number): string {
  return spec.idempotent === false
    ? 'not resent: it creates, so it may have taken effect'
    : `gave up after ${attempt} attempts`;
}

/** `data[3].entity.id` from a zod issue path. */
function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Why an attempt got no usable response, or undefined when the error is not a network failure. */
function describeNetworkError(error: unknown, timeoutMs: number): string | undefined {
  if (error instanceof Error && error.name === 'TimeoutError') return `no response within ${timeoutMs} ms`;
  const code = errorCode(error) ?? errorCode(error instanceof Error ? error.cause : undefined);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  // undici reports every network failure as TypeError("fetch failed" / "terminated") with a cause.
  if (error instanceof TypeError && (error.cause !== undefined || error.message === 'fetch failed')) {
    return `network error (${[code, cause].filter(Boolean).join(': ') || error.message})`;
  }
  if (code !== undefined && networkCodes.has(code)) return `network error (${code})`;
  return undefined;
}
