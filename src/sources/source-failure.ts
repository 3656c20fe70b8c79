import { scrub } from '../log/secrets.js';
import { SourceError } from './source.js';

/**
 * Builds the SourceError a person reads: `mapping "<name>": <text>`, every registered secret
 * scrubbed from the text (a driver message may echo a credential).
 */
export function sourceFailure(
  sourceType: SourceError['sourceType'],
  mappingName: string | undefined,
  text: string,
  cause?: unknown,
): SourceError {
  const prefix = mappingName === undefined ? '' : `mapping "${mappingName}": `;
  return new SourceError(scrub(`${prefix}${text}`), sourceType, cause === undefined ? {} : { cause });
}

/** The message of an unknown thrown value, for composing failure text. */
export function causeText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
