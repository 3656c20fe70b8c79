import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openRunSink } from '../../src/results/open-run-sink.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import type { RunReport } from '../../src/sync/report.js';
import {
  capturedLogger,
  portfolioFixture,
  portfolioMapping,
  portfolioTableSql,
  postgresSource,
  runCli,
  sql,
} from '../faults/support.js';
import { closedPort } from '../support/free-port.js';
import { databaseUrl, isolatedRedis, isolatedSchema, redisUrl } from '../support/services.js';
import { resultsSchema, withPort } from './support.js';

// `affinity-sync history` as a person runs it: recent runs, the last run's changes (paged), one
// run's problems, JSON, from the results store; from the Redis history (its sample) without one.

const apiKey = 'sk-history-cli-0a7d55';
const mapping = 'history-portfolio';
const n = 12;
const warehouseQuery = `select company_id, arr, sector, last_funding,
    case when company_id = 2 then 'Series Z' else stage end as stage from portfolio
  union all select 999, 1.5, 'none', date '2024-01-01', 'Seed'
  order by company_id`;

describe('affinity-sync history', () => {
  let warehouse: Awaited<ReturnType<typeof isolatedSchema>>;
  let results: ReturnType<typeof resultsSchema>;
  let redis: Awaited<ReturnType<typeof isolatedRedis>>;
  let dir: string;
  let sim: RunningSimulator;
  let storeEnv: Record<string, string>;
  const reports: RunReport[] = [];

  beforeAll(async () => {
    warehouse = await isolatedSchema('history_wh');
    results = resultsSchema();
    redis = await isolatedRedis('history');
    await sql(warehouse.url, portfolioTableSql('portfolio', n));
    dir = await mkdtemp(join(tmpdir(), 'history-'));
    await writeFile(
      join(dir, 'portfolio.yaml'),
      portfolioMapping(mapping, postgresSource(warehouse.url, JSON.stringify(warehouseQuery))),
    );
    sim = await startSimulator({ apiKey, fixture: portfolioFixture(n, (i) => i > 8) });
    storeEnv = { RESULTS_DATABASE_URL: databaseUrl(), RESULTS_SCHEMA: results.schema };
    // Last night: a run that writes, a rerun that writes nothing; this morning the warehouse
    // changed three sectors and someone looked with a dry run.
    reports.push(await run(false), await run(false));
    await sql(
      warehouse.url,
      `update portfolio set sector = 'Sector new ' || company_id where company_id <= 3`,
    );
    reports.push(await run(true));
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    await warehouse?.drop();
    await results?.drop();
    await redis?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(dryRun: boolean): Promise<RunReport> {
    const { logger } = capturedLogger();
    const env = readEnv({ AFFINITY_API_KEY: apiKey, AFFINITY_BASE_URL: sim.url, ...storeEnv });
    return executeRun({
      loaded: await loadMappingFile(join(dir, 'portfolio.yaml')),
      env,
      logger,
      dryRun,
      sink: openRunSink(env, logger),
    });
  }

  const history = (args: string[], env: Record<string, string> = storeEnv) =>
    runCli(['history', ...args], { LOG_LEVEL: 'silent', ...env });

  it('--help names its environment variables, exit codes and an example', async () => {
    const { code, stdout } = await history(['--help']);
    expect(code).toBe(0);
    for (const text of ['RESULTS_DATABASE_URL', 'RESULTS_SCHEMA', 'REDIS_URL', 'Exit codes: 0', 'Example']) {
      expect(stdout).toContain(text);
    }
    expect(stdout).toContain('affinity-sync history portfolio-metrics --changes');
  });

  it('lists the recent runs, newest first, with their counts and ids', async () => {
    const { code, stdout, stderr } = await history([mapping]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^${mapping} — 3 newest run\\(s\\), newest first \\(results store postgres(ql)?://127`),
    );
    const [dry, second, first] = [...reports].reverse();
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([
      [dry!.startedAt, 'partial'],
      [second!.startedAt, 'partial'],
      [first!.startedAt, 'partial'],
    ]);
    expect(lines[1]).toContain(`(dry run)`);
    expect(lines[1]).toContain(`3 change(s)  2 problem(s)  run ${dry!.runId}`);
    expect(lines[3]).toContain('rows 13 read/12 matched/1 unmatched/1 rejected');
    expect(lines[3]).toContain(`fields 31 written/1 rejected`);
  });

  it('--changes prints the last run’s changes, before → after, paged with --limit / --offset', async () => {
    const all = await history([mapping, '--changes']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`run ${reports[2]!.runId}`);
    expect(all.stdout).toContain('changes it would write 1–3 of 3:');
    for (const i of [1, 2, 3]) {
      expect(all.stdout).toContain(
        `Company ${i} (entry ${10_000 + i}) Sector: "Sector ${i}" → "Sector new ${i}"`,
      );
    }
    const page = await history([mapping, '--changes', '--limit', '2']);
    expect(page.stdout).toContain('changes it would write 1–2 of 3; next page: --offset 2:');
    expect(page.stdout).not.toContain('Company 3 (entry');
    const next = await history([mapping, '--changes', '--limit', '2', '--offset', '2']);
    expect(next.stdout).toContain('changes it would write 3–3 of 3:');
    expect(next.stdout).toContain('Company 3 (entry 10003) Sector');
  });

  it('--run ID --problems prints one run and its problems; --json the same as data', async () => {
    const first = reports[0]!;
    const text = await history([mapping, '--run', first.runId, '--problems']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('problems 1–2 of 2:');
    expect(text.stdout).toMatch(/row 2, company_id=2, column stage.*"Series Z" is not an option of "Stage"/);
    expect(text.stdout).toMatch(/row 13, company_id=999: .*no list entry/);

    const detail = await history([mapping, '--run', first.runId]);
    expect(detail.stdout).toContain(
      `${mapping}: PARTIAL in ${(first.durationMs / 1000).toFixed(1)}s (diff), run ${first.runId}`,
    );
    expect(detail.stdout).toContain(
      'rows     13 read, 12 matched, 1 unmatched, 0 ambiguous, 0 duplicate, 1 with rejected values',
    );

    const json = await history([mapping, '--run', first.runId, '--changes', '--problems', '--json']);
    const parsed = JSON.parse(json.stdout) as {
      source: string;
      run: { runId: string; counts: unknown };
      problems: { total: number; items: unknown[] };
      changes: { total: number };
    };
    expect(parsed.source).toBe('results-store');
    expect(parsed.run.runId).toBe(first.runId);
    expect(parsed.run.counts).toEqual({
      rows: first.rows,
      entries: first.entries,
      fields: first.fields,
      calls: first.calls,
      limiterWaitMs: first.limiterWaitMs,
    });
    expect(parsed.problems.total).toBe(2);
    // Real runs' changes arrive with issue 13.1; until then the store holds none for them.
    expect(parsed.changes.total).toBe(first.changes?.length ?? 0);
  });

  it('a run that is not there exits 1; a mapping without runs, or a store without tables, says so', async () => {
    const missing = await history([mapping, '--run', 'no-such-run']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^affinity-sync history: no run no-such-run of mapping "history-portfolio"/,
    );
    const none = await history(['never-ran']);
    expect(none).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^never-ran: no runs recorded in the results store/),
    });
    const fresh = await history([mapping], { ...storeEnv, RESULTS_SCHEMA: 'history_never_created' });
    expect(fresh).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('no runs recorded in the results store'),
    });
  });

  it('an unreachable results store: exit 1 with one line naming it, no password', async () => {
    const url = new URL(withPort(databaseUrl(), await closedPort()));
    url.username = 'reader';
    url.password = 'pw-history-secret';
    const { code, stdout, stderr } = await history([mapping], { RESULTS_DATABASE_URL: url.toString() });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^affinity-sync history: results store postgres(ql)?:\/\/127\.0\.0\.1:\d+\/\w+ \(schema affinity_sync\): connect ECONNREFUSED/,
    );
    expect(stderr).not.toContain('pw-history-secret');
  });

  it('without a results store: counts, problems and the sample of changes from the Redis history', async () => {
    const prefix = redis.prefix.slice(0, -1);
    const store = new HistoryStore(redis.redis, prefix, 100);
    for (const report of reports) {
      await store.record({ jobId: `${mapping}.1`, trigger: 'schedule', attempt: 1, attempts: 3, report });
    }
    const env = { REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix };
    const list = await history([mapping], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('run history in Redis');
    expect(list.stdout).toContain(
      'from the Redis history: counts, problems and the first 50 changes of each run',
    );
    expect(list.stdout).toContain(`2 problem(s)  run ${reports[0]!.runId}`);
    // The Redis history now knows each run's change count (its reports carry `changes`).
    expect(list.stdout).toContain(
      `${reports[2]!.changes.length} change(s)  2 problem(s)  run ${reports[2]!.runId}`,
    );
    const one = await history([mapping, '--run', reports[0]!.runId], env);
    expect(one.stdout).toContain('rows     13 read, 12 matched');
    const changes = await history([mapping, '--changes', '--limit', '2'], env);
    expect(changes.code).toBe(0);
    expect(changes.stdout).toContain(`run ${reports[2]!.runId}`);
    expect(changes.stdout).toContain('changes it would write 1–2 of 3; next page: --offset 2:');
    expect(changes.stdout).toContain('Company 1 (entry 10001) Sector: "Sector 1" → "Sector new 1"');
    const problems = await history([mapping, '--run', reports[0]!.runId, '--problems'], env);
    expect(problems.code).toBe(0);
    expect(problems.stdout).toContain('problems 1–2 of 2:');
    expect(problems.stdout).toMatch(/\[rejected-value\] row 2, company_id=2, column stage.*"Series Z"/);
  });

  it('with neither RESULTS_DATABASE_URL nor REDIS_URL: exit 2 saying what to set', async () => {
    const { code, stderr } = await history([mapping], {});
    expect(code).toBe(2);
    expect(stderr).toContain('neither is set: export RESULTS_DATABASE_URL=');
  });
});
