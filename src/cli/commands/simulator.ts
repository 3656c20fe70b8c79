import { errorMessage } from '../../util/error-message.js';
import { type Command, UsageError } from '../command.js';
import { parseOptions } from '../parse-options.js';

const usage = `Usage: affinity-sync simulator [options]

Start a local Affinity API v2 simulator (a real HTTP server) to try mappings without a real Affinity.

Data (one of):
  --fixture <file.json>   serve the lists, fields, entries and companies in a fixture file
  --companies <N>         generate N companies on a "Portfolio" list (default 50)

Options:
  --port <n>              TCP port, 0 for any free one (default 4010)
  --host <addr>           interface to listen on (default 127.0.0.1)
  --key <key>             API key clients must send (default simulator-key)
  --seed <n>              seed of generated data and faults (default 1)
  --limit <n>             requests per key per window (default 900)
  --window <seconds>      rate window length (default 60)
  --org-limit <n>         monthly account quota (default unlimited)
  --max-concurrent <n>    requests in flight before 429 (default no cap)
  --latency <ms>          fixed delay before each answer (default 0)
  --jitter <ms>           extra random delay, 0..ms (default 0)
  --error-rate <f>        fraction answered 500/503, 0..1 (default 0)
  --drop-rate <f>         fraction of connections dropped unanswered, 0..1 (default 0)
  --legacy-dropdowns      answer 404 on v2 dropdown-options (clients fall back to v1)
  --legacy-search         answer 404 on v2 companies/persons search (clients fall back to v1)

Control endpoints (no auth): GET /_simulator/stats, GET /_simulator/state, POST /_simulator/reset,
POST /_simulator/faults, POST /_simulator/rate-limit. Stops on Ctrl-C (SIGINT) or SIGTERM.

Environment: none (everything is a flag).
Exit codes: 0 stopped by a signal, 2 bad flags, a fixture that does not load or a port in use.

Example:
  affinity-sync simulator --companies 40 --seed 7 --port 4010`;

function numberFlag(
  values: Record<string, unknown>,
  name: string,
  check: { min: number; max?: number; integer?: boolean },
): number | undefined {
  const text = values[name];
  if (typeof text !== 'string') return undefined;
  const n = Number(text);
  const ok =
    text.trim() !== '' &&
    Number.isFinite(n) &&
    n >= check.min &&
    (check.max === undefined || n <= check.max) &&
    (!check.integer || Number.isInteger(n));
  if (!ok) {
    const range = check.max === undefined ? `at least ${check.min}` : `from ${check.min} to ${check.max}`;
    throw new UsageError(
      `--${name} must be ${check.integer ? 'an integer' : 'a number'} ${range}; got "${text}"`,
    );
  }
  return n;
}

function argPort(argv: string[]): string {
  const at = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
  if (at < 0) return '4010';
  return argv[at]?.includes('=') ? (argv[at]?.split('=')[1] ?? '') : (argv[at + 1] ?? '');
}

type SimulatorOptions = NonNullable<Parameters<typeof import('../../simulator/server.js').startSimulator>[0]>;
type RunningSimulator = Awaited<ReturnType<typeof import('../../simulator/server.js').startSimulator>>;

export const command: Command = {
  name: 'simulator',
  summary: 'Start a local Affinity API v2 simulator',
  usage,
  async run(argv) {
    let sim: RunningSimulator;
    try {
      const { startSimulator } = await import('../../simulator/server.js');
      sim = await startSimulator(await simulatorOptions(argv));
    } catch (error) {
      return reportStartFailure(argv, error);
    }
    printWelcome(sim);
    await untilSignalled();
    await sim.close();
    process.stdout.write('Simulator stopped.\n');
    return 0;
  },
};

/** The flags as the simulator's options; bad flags throw UsageError. */
async function simulatorOptions(argv: string[]): Promise<SimulatorOptions> {
  const { values } = parseOptions({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      fixture: { type: 'string' },
      companies: { type: 'string' },
      key: { type: 'string' },
      seed: { type: 'string' },
      limit: { type: 'string' },
      window: { type: 'string' },
      'org-limit': { type: 'string' },
      'max-concurrent': { type: 'string' },
      latency: { type: 'string' },
      jitter: { type: 'string' },
      'error-rate': { type: 'string' },
      'drop-rate': { type: 'string' },
      'legacy-dropdowns': { type: 'boolean' },
      'legacy-search': { type: 'boolean' },
    },
  });
  if (values.fixture !== undefined && values.companies !== undefined) {
    throw new UsageError('give either --fixture or --companies, not both');
  }
  if (values.key !== undefined && values.key.trim() === '') throw new UsageError('--key must not be empty');
  const port = numberFlag(values, 'port', { min: 0, max: 65535, integer: true }) ?? 4010;
  const companies = numberFlag(values, 'companies', { min: 0, max: 1_000_000, integer: true });
  const seed = numberFlag(values, 'seed', { min: 0, integer: true });
  const limit = numberFlag(values, 'limit', { min: 1, integer: true }) ?? 900;
  const windowSeconds = numberFlag(values, 'window', { min: 0.001 }) ?? 60;
  const orgLimit = numberFlag(values, 'org-limit', { min: 0, integer: true });
  const maxConcurrent = numberFlag(values, 'max-concurrent', { min: 1, integer: true });
  const { loadFixtureFile } = await import('../../simulator/fixture.js');
  const { registerSecret } = await import('../../log/secrets.js');
  if (values.key !== undefined) registerSecret(values.key);
  const fixture = values.fixture !== undefined ? await loadFixtureFile(values.fixture) : undefined;
  return {
    port,
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.key !== undefined ? { apiKey: values.key } : {}),
    ...(fixture ? { fixture } : {}),
    ...(companies !== undefined ? { companies } : {}),
    ...(seed !== undefined ? { seed } : {}),
    rateLimit: { limit, windowSeconds },
    orgQuota: orgLimit !== undefined ? { limit: orgLimit } : null,
    maxConcurrent: maxConcurrent ?? null,
    faults: faultFlags(values),
    legacyDropdowns: values['legacy-dropdowns'] === true,
    legacySearch: values['legacy-search'] === true,
  };
}

function faultFlags(values: Record<string, unknown>): NonNullable<SimulatorOptions['faults']> {
  const latencyMs = numberFlag(values, 'latency', { min: 0 });
  const jitterMs = numberFlag(values, 'jitter', { min: 0 });
  const errorRate = numberFlag(values, 'error-rate', { min: 0, max: 1 });
  const dropRate = numberFlag(values, 'drop-rate', { min: 0, max: 1 });
  return {
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(jitterMs !== undefined ? { jitterMs } : {}),
    ...(errorRate !== undefined ? { errorRate } : {}),
    ...(dropRate !== undefined ? { dropRate } : {}),
  };
}

/** Bad flags, a fixture that does not load or a port in use: one line, exit 2. */
function reportStartFailure(argv: string[], error: unknown): number {
  const code = (error as { code?: string }).code;
  const message =
    code === 'EADDRINUSE'
      ? `port ${argPort(argv)} is already in use: choose another with --port (0 picks a free one)`
      : errorMessage(error);
  const isUsage = error instanceof UsageError || code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(
    `affinity-sync simulator: ${message}\n${isUsage ? '\nRun `affinity-sync simulator --help` for the options.\n' : ''}`,
  );
  return 2;
}

function printWelcome(sim: RunningSimulator): void {
  const lists = [...sim.state.lists.values()]
    .map((l) => `  list ${l.id} "${l.name}": ${l.entries.length} entries, ${l.fields.length} fields`)
    .join('\n');
  const keyShown = sim.apiKey === 'simulator-key' ? sim.apiKey : '<the --key you gave>';
  process.stdout.write(
    [
      `Affinity API simulator listening on ${sim.url}`,
      lists || '  (no lists)',
      '',
      'Point affinity-sync at it:',
      `  export AFFINITY_BASE_URL=${sim.url}`,
      `  export AFFINITY_API_KEY=${keyShown}`,
      '',
      `Stats: curl ${sim.url}/_simulator/stats   (Ctrl-C to stop)`,
      '',
    ].join('\n'),
  );
}

function untilSignalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
