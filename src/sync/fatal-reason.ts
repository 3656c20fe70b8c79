import { AffinityApiError } from '../affinity/affinity-api-error.js';
import { LimiterUnavailableError, QuotaExhaustedError } from '../limiter/limiter-errors.js';

/** The message of a failure that must stop the whole run, or undefined when the run can go on. */
export function fatalReason(caught: unknown): string | undefined {
  if (caught instanceof QuotaExhaustedError || caught instanceof LimiterUnavailableError)
    return caught.message;
  if (caught instanceof AffinityApiError) {
    if (caught.status === 401) {
      return 'Affinity refused the API key (401): check AFFINITY_API_KEY (Settings → API in Affinity)';
    }
    if (caught.status === 403)
      return `Affinity denied access (403): ${caught.affinityMessage ?? caught.message}`;
  }
  return undefined;
}
