import { AffinityApiError } from '../affinity/affinity-api-error.js';

/**
 * Whether a failed write may succeed if sent again later (5xx, network error, timeout, 429s
 * the transport gave up on) — unlike a 400/404/422, which the same request meets again.
 */
export function isTransientFailure(caught: unknown): boolean {
  if (!(caught instanceof AffinityApiError)) return false;
  return caught.retryable || caught.status === 0 || caught.status === 429 || caught.status >= 500;
}
