import type { RateLimitHeaders } from './limiter.js';

// Header names as Affinity documents them; Headers.get() matches case-insensitively (they went
// lowercase in Jan 2026).
const headerNames = {
  userLimit: 'x-ratelimit-limit-user',
  userRemaining: 'x-ratelimit-limit-user-remaining',
  userReset: 'x-ratelimit-limit-user-reset',
  orgLimit: 'x-ratelimit-limit-org',
  orgRemaining: 'x-ratelimit-limit-org-remaining',
  orgReset: 'x-ratelimit-limit-org-reset',
} as const satisfies Record<keyof RateLimitHeaders, string>;

const plainNumber = /^\d+(\.\d+)?$/;

/** A non-negative decimal header value, or undefined when missing, "unlimited" or garbage. */
function numericHeader(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  return plainNumber.test(trimmed) ? Number(trimmed) : undefined;
}

/** Reads Affinity's six `x-ratelimit-*` headers; any missing or non-numeric one is left undefined. */
export function parseRateLimitHeaders(headers: Headers): RateLimitHeaders {
  const parsed: RateLimitHeaders = {};
  for (const key of Object.keys(headerNames) as (keyof RateLimitHeaders)[]) {
    const value = numericHeader(headers.get(headerNames[key]));
    if (value !== undefined) parsed[key] = value;
  }
  return parsed;
}
