import pg from 'pg';
import { scrub } from '../log/secrets.js';
import { redactUrl } from '../sources/redact-url.js';
import { errorMessage } from '../util/error-message.js';

/** How long the results store may take before it is given up on. */
export interface ResultsTimeouts {
  /** Connecting, TLS and login included, ms. @defaultValue 3000 */
  connectTimeoutMs?: number;
  /** One statement (server-side statement_timeout; the client gives up 1 s later), ms. @defaultValue 5000 */
  statementTimeoutMs?: number;
}

export const defaultConnectTimeoutMs = 3000;
export const defaultStatementTimeoutMs = 5000;

/**
 * One connection to the results database with bounded waits. `onError` hears failures of an idle
 * connection (a server that goes away between statements), which would otherwise crash the process.
 */
export async function connectResults(
  url: string,
  timeouts: ResultsTimeouts,
  onError: (error: Error) => void,
): Promise<pg.Client> {
  const statementTimeoutMs = timeouts.statementTimeoutMs ?? defaultStatementTimeoutMs;
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeouts.connectTimeoutMs ?? defaultConnectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    // A server that stops answering mid-statement never sends the statement_timeout error.
    query_timeout: statementTimeoutMs + 1000,
    application_name: 'affinity-sync results',
  });
  client.on('error', onError);
  await client.connect();
  return client;
}

/** Closes a connection without waiting on a server that may be gone (pg destroys the socket then). */
export async function closeResults(client: pg.Client | undefined): Promise<void> {
  if (!client) return;
  await Promise.race([client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
}

/** "results store postgres://host:5432/db (schema s)", the password and query string removed. */
export function nameResultsStore(url: string, schema: string): string {
  return `results store ${redactUrl(url)} (schema ${schema})`;
}

/** What went wrong with the results database, and what to do about it, without secrets. */
export function describeResultsError(error: unknown): string {
  const message = errorMessage(error);
  const code = (error as { code?: unknown } | null)?.code;
  return scrub(`${message}; ${hintFor(typeof code === 'string' ? code : undefined, message)}`);
}

function hintFor(code: string | undefined, message: string): string {
  switch (code) {
    case '42501':
      return 'the role needs CREATE on the database (or on the results schema, created beforehand) and USAGE on that schema';
    case '28P01':
    case '28000':
      return 'check the user and password in RESULTS_DATABASE_URL';
    case '3D000':
      return 'check the database name in RESULTS_DATABASE_URL';
    case '57014':
      return 'the results database answered too slowly (statement timeout)';
    default:
      if (/timeout/i.test(message))
        return 'the results database did not answer in time; check that it is up and reachable';
      if (/terminated|ECONNRESET|closed/i.test(message))
        return 'the connection to the results database was lost; check that it is up';
      return 'check the host and port in RESULTS_DATABASE_URL and that the server is running';
  }
}
