import type { Logger } from '../log/logger.js';

/** How a source is opened; every field is optional. */
export interface SourceOptions {
  /** Where the source (and its driver) log; default a silent logger. */
  logger?: Logger;
  /** The mapping the source belongs to, named in every error message; default none. */
  mappingName?: string;
  /** Rows fetched per round trip (postgres cursor batch); default 1000. */
  batchSize?: number;
}

/** Rows per fetch when the caller does not say. */
export const defaultBatchSize = 1000;
