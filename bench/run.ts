// `npm run bench`: builds, then runs the benchmarks against the simulator, a Postgres warehouse and
// Redis; prints the table and writes bench/results.md and bench/results.json.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../src/util/package-root.js';
import { BenchUsageError, benchUsage, parseBenchArgs } from './bench-options.js';
import { renderMarkdown } from './results.js';
import { runBench } from './run-bench.js';

const args = process.argv.slice(2);
const abort = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`${signal}: stopping the benchmark and cleaning up…\n`);
    abort.abort();
  });
}

try {
  if (args.includes('--help')) {
    process.stdout.write(`${benchUsage}\n`);
    process.exit(0);
  }
  const options = parseBenchArgs(args, {
    outDir: join(packageRoot(), 'bench'),
    databaseUrl: process.env['DATABASE_URL'] ?? 'postgresql://root@127.0.0.1:5432/test',
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  });
  const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  const results = await runBench(options, { command, commit: describeCommit(), signal: abort.signal });
  process.stdout.write(renderMarkdown(results));
  const missed = results.scenarios.flatMap((s) =>
    s.figures.filter((f) => f.met === false).map((f) => `${s.id}: ${f.figure}`),
  );
  if (missed.length > 0) process.stderr.write(`targets missed:\n  ${missed.join('\n  ')}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof BenchUsageError ? error.message : (error as Error).stack}\n`);
  process.exitCode = error instanceof BenchUsageError ? 2 : 1;
}

/** The work tree's commit (marked -dirty with local changes), or undefined outside git. */
function describeCommit(): string | undefined {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      cwd: packageRoot(),
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}
