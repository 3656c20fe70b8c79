import * as scheduledSync from '../../jobs/scheduled-sync.js';
import * as syncMapping from '../../jobs/sync-mapping.js';
import type { JobHandler } from './job-context.js';

/** Every job kind the worker processes, by job name (one file per kind in jobs/). */
export const jobHandlers: ReadonlyMap<string, JobHandler> = new Map(
  [syncMapping, scheduledSync].map((handler): [string, JobHandler] => [handler.name, handler]),
);
