import { AffinityApiError } from '../affinity/affinity-api-error.js';
import { scrub } from '../log/secrets.js';
import { errorMessage } from '../util/error-message.js';
import { fatalReason } from './fatal-reason.js';

/** The report's `error` for a stop the engine decided: named by mapping, scrubbed of secrets. */
export function failureText(message: string, mappingName: string): string {
  return scrub(message.includes(mappingName) ? message : `mapping "${mappingName}": ${message}`);
}

/** The report's `error` for a failure thrown below the engine (Affinity, limiter, source). */
export function describeFailure(caught: unknown, mappingName: string): string {
  const fatal = fatalReason(caught);
  if (fatal !== undefined) return fatal;
  if (caught instanceof AffinityApiError) return caught.message;
  return failureText(errorMessage(caught), mappingName);
}
