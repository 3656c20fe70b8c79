import type { Env } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import { registerSecret } from '../log/secrets.js';
import { noRunSink, type RunSink } from '../sync/run-sink.js';
import { PostgresRunSink } from './postgres-run-sink.js';
import type { ResultsTimeouts } from './results-connection.js';

/** The sink of one run: the results store when RESULTS_DATABASE_URL is set, else one that does nothing. */
export function openRunSink(
  env: Pick<Env, 'RESULTS_DATABASE_URL' | 'RESULTS_SCHEMA'>,
  logger: Logger,
  timeouts: ResultsTimeouts = {},
): RunSink {
  const url = env.RESULTS_DATABASE_URL;
  if (!url) return noRunSink;
  registerResultsSecret(url);
  return new PostgresRunSink({ url, schema: env.RESULTS_SCHEMA, logger, ...timeouts });
}

/** Keeps the URL's password out of every log line, report and message. */
export function registerResultsSecret(url: string): void {
  try {
    registerSecret(decodeURIComponent(new URL(url).password));
  } catch {
    // Not a URL: pg will say so, and redactUrl shows "(invalid URL)".
  }
}
