import { z } from 'zod';

// Every environment variable affinity-sync reads, in one schema: defaults and messages live here.

const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive();

export const envSchema = z.object({
  /** Affinity API key (Settings → API). Required by commands that talk to Affinity. */
  AFFINITY_API_KEY: z.string().trim().min(1).optional(),
  /** Affinity API base URL. @defaultValue https://api.affinity.co */
  AFFINITY_BASE_URL: z
    .url({ error: 'AFFINITY_BASE_URL must be a URL like https://api.affinity.co' })
    .default('https://api.affinity.co'),
  /** Folder of mapping files. @defaultValue ./mappings */
  MAPPINGS_DIR: z.string().min(1).default('mappings'),
  /** Redis for the shared limiter, queues and history; unset = in-process limiter (run / run-all only). */
  REDIS_URL: z.string().min(1).optional(),
  /** pino level. @defaultValue info */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** PATCH requests in flight per run. @defaultValue 8 */
  SYNC_CONCURRENCY: positiveInt('SYNC_CONCURRENCY').default(8),
  /** Fraction of the per-minute limit kept unused. @defaultValue 0.05 */
  RATE_LIMIT_MARGIN: z.coerce.number().min(0).max(0.5).default(0.05),
  /** Rate-limit window length, seconds; unset = learned from x-ratelimit-limit-user-reset (60 assumed until then). */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce
    .number({ error: 'RATE_LIMIT_WINDOW_SECONDS must be a number of seconds' })
    .positive('RATE_LIMIT_WINDOW_SECONDS must be more than 0 seconds')
    .max(86_400, 'RATE_LIMIT_WINDOW_SECONDS must be at most 86400 (a day)')
    .optional(),
  /** Fraction of the monthly quota never spent by syncs. @defaultValue 0.02 */
  QUOTA_RESERVE: z.coerce.number().min(0).max(0.5).default(0.02),
  /** Warn (dry run, validate --remote) when a run would spend more than this share of the monthly allowance left. @defaultValue 0.2 */
  QUOTA_WARN_SHARE: z.coerce.number().min(0).max(1).default(0.2),
  /** Pause before entries that failed transiently (5xx, network, timeout) are tried once more, ms. @defaultValue 10000 */
  TRANSIENT_RETRY_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Sync jobs processed at once by one worker process. @defaultValue 2 */
  WORKER_CONCURRENCY: positiveInt('WORKER_CONCURRENCY').default(2),
  /** Worker HTTP port (health, metrics, dashboard, trigger). @defaultValue 8080 */
  WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Address the worker's HTTP port binds to; unset = every interface. */
  WORKER_HTTP_HOST: z.string().min(1).optional(),
  /** Bearer token for POST /mappings/{name}/runs and the dashboard's sign-in; unset = both refuse every call. */
  WORKER_HTTP_TOKEN: z.string().min(1).optional(),
  /** Serve the dashboard without the token (a trusted network only). @defaultValue false */
  WORKER_DASHBOARD_PUBLIC: z
    .stringbool({ error: 'WORKER_DASHBOARD_PUBLIC must be true or false' })
    .default(false),
  /** How long a starting worker waits for Redis before it exits 1, seconds. @defaultValue 60 */
  WORKER_REDIS_WAIT_SECONDS: positiveInt('WORKER_REDIS_WAIT_SECONDS').default(60),
  /** The secret of a dbt Cloud webhook; unset = POST /webhooks/dbt-cloud refuses every call. */
  DBT_CLOUD_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Runs kept in history per mapping. @defaultValue 100 */
  HISTORY_RETENTION: positiveInt('HISTORY_RETENTION').default(100),
  /** Prefix of every Redis key and queue. @defaultValue affinity-sync */
  QUEUE_PREFIX: z.string().min(1).default('affinity-sync'),
  /** How long a worker's hold on a running job lasts without renewal, ms (a killed worker's job is retaken after it). @defaultValue 30000 */
  WORKER_LOCK_DURATION_MS: positiveInt('WORKER_LOCK_DURATION_MS').default(30_000),
  /** How often workers look for jobs whose worker died, ms. @defaultValue 30000 */
  WORKER_STALLED_INTERVAL_MS: positiveInt('WORKER_STALLED_INTERVAL_MS').default(30_000),
  /** On SIGTERM/SIGINT, the longest the worker waits for running syncs to hand back before exiting, ms. @defaultValue 30000 */
  WORKER_SHUTDOWN_TIMEOUT_MS: positiveInt('WORKER_SHUTDOWN_TIMEOUT_MS').default(30_000),
  /** Attempts of a failing run before it ends failed. @defaultValue 3 */
  JOB_ATTEMPTS: positiveInt('JOB_ATTEMPTS').default(3),
  /** First retry delay of a failed run, ms; doubles on each attempt. @defaultValue 60000 */
  JOB_BACKOFF_MS: positiveInt('JOB_BACKOFF_MS').default(60_000),
  /** PostgreSQL where every run's row, changes and problems are written; unset = no results store. */
  RESULTS_DATABASE_URL: z.string().min(1).optional(),
  /** Schema of the results store's tables (created on first use). @defaultValue affinity_sync */
  RESULTS_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, {
      error:
        'RESULTS_SCHEMA must be a lowercase SQL name (letters, digits, _; at most 63), like affinity_sync',
    })
    .default('affinity_sync'),
});

export type Env = z.infer<typeof envSchema>;

/** Parses the environment; a bad value is a configuration error naming the variable. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new EnvError(`invalid environment:\n  ${lines.join('\n  ')}`);
}

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

/** The API key, or an error saying how to provide it. */
export function requireApiKey(env: Env): string {
  if (!env.AFFINITY_API_KEY) {
    throw new EnvError(
      'AFFINITY_API_KEY is not set: create a key in Affinity (Settings → API) and export AFFINITY_API_KEY=…',
    );
  }
  return env.AFFINITY_API_KEY;
}
