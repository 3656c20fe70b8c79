import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from '../../bench/bench-options.js';
import { renderMarkdown } from '../../bench/results.js';
import { runBench } from '../../bench/run-bench.js';
import { databaseUrl, redisUrl, uniqueName } from '../support/services.js';

// Keeps the benchmark machinery from rotting: every scenario on 2% of the sizes, no latency.
// Nothing here is timed; the figures are checked for consistency, not speed.

const defaults = { outDir: '/tmp/unused', databaseUrl: 'postgresql://db/x', redisUrl: 'redis://r' };
// Schemas and keys of this file's run only, so a bench running beside it on the same servers does not count.
const namespace = uniqueName('smoke').toLowerCase();

async function benchSchemas(): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      'select nspname from pg_namespace where starts_with(nspname, $1) order by 1',
      [`${namespace}_`],
    );
    return rows.map((r) => r.nspname);
  } finally {
    await client.end();
  }
}

async function benchKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${namespace}-*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

describe('parseBenchArgs', () => {
  it('reads --only case-insensitively, in run order, with the issue sizes by default', () => {
    const options = parseBenchArgs(['--only', 's4,S1', '--naive-sample', '500'], defaults);
    expect(options.only).toEqual(['S1', 'S4']);
    expect(options.scale).toBe(1);
    expect(options.naiveSample).toBe(500);
    expect([options.limit, options.windowSeconds, options.nightlyWindowSeconds]).toEqual([900, 24, 60]);
    expect(parseBenchArgs(['--no-write'], defaults).outDir).toBeNull();
  });

  it('names an unknown scenario and the known ones', () => {
    expect(() => parseBenchArgs(['--only', 'S9'], defaults)).toThrow(
      new BenchUsageError(
        '--only: unknown scenario "S9" (known: S1, S1i, baseline, S2, S3, S4, S5, S6, S1r)',
      ),
    );
    expect(() => parseBenchArgs(['--scale', '0'], defaults)).toThrow(
      '--scale must be a positive number; got "0"',
    );
  });
});

describe('runBench on a tiny size', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: 3 });
  });
  afterAll(() => redis.disconnect());

  it('runs every scenario, reports consistent figures and leaves no schema, key or child behind', async () => {
    const schemasBefore = await benchSchemas();
    const keysBefore = await benchKeys(redis);
    const lines: string[] = [];
    const options = parseBenchArgs(
      [
        '--scale',
        '0.02',
        '--latency',
        '0',
        '--jitter',
        '0',
        '--limit',
        '9000',
        '--window',
        '6',
        '--nightly-window',
        '6',
        '--no-write',
      ],
      {
        ...defaults,
        databaseUrl: databaseUrl(),
        redisUrl: redisUrl(),
        namespace,
      },
    );
    const results = await runBench(options, { command: 'smoke', say: (line) => lines.push(line) });

    expect(results.scenarios.map((s) => s.id)).toEqual([
      'S1',
      'S1i',
      'baseline',
      'S2',
      'S3',
      'S4',
      'S5',
      'S6',
      'S1r',
    ]);
    const figure = (id: string, name: string) =>
      results.scenarios.find((s) => s.id === id)!.figures.find((f) => f.figure === name)!;
    // 200 entries, 10 changed: 2 pages + 10 PATCHes, plus the field and dropdown-option reads.
    expect(figure('S1', 'calls vs ideal ceil(N/100) + changed')).toMatchObject({ number: 14, met: true });
    expect(figure('S1', 'entries changed / written by the simulator').value).toBe('10 / 10 (expected 10)');
    // The quota forecast of a separate dry run equals the measured run's calls (issue 15.3).
    expect(figure('S1', 'dry-run forecast vs calls')).toMatchObject({
      value: '14 (4 read, 10 write) vs 14 (0.00%)',
      number: 14,
      met: true,
    });
    expect(figure('baseline', 'API writes (PATCH)').number).toBe(200);
    expect(figure('S2', 'entries updated / written by the simulator').value).toBe('200 / 200 (expected 200)');
    expect(figure('S3', 'entries updated / written by the simulator').value).toBe('200 / 200 (expected 200)');
    expect(figure('S3', '429s (per minute of run)').number).toBe(0);
    expect(figure('S4', 'rows read / matched / unmatched').value).toBe('20,000 / 2,000 / 18,000');
    expect(figure('S4', 'entries that would change').value).toBe('100 (expected 100)');
    expect(figure('S4', 'peak RSS of the sync process').number).toBeGreaterThan(0);
    // Incremental: 200 entries, 10 changed: the field and option reads, whoami, v1 fields, one feed page, 10 PATCHes.
    expect(figure('S1i', 'incremental run: calls').number).toBe(15);
    expect(figure('S1i', 'live run: calls (scan + writes)').number).toBe(14);
    // 1,000 entries, 5 changed, 1 edited in Affinity: the same five reads, one re-read, six PATCHes.
    expect(figure('S5', 'incremental run: calls').number).toBe(12);
    for (const id of ['S1i', 'S5']) {
      expect(
        figure(id, 'end state: incremental = live = warehouse, each needed entry written once').met,
      ).toBe(true);
    }
    expect(figure('S1r', 'wall-time ratio with / without, same calls').value).toMatch(/same calls/);
    expect(figure('S6', '40 per 5 s: 429s').number).toBe(0);
    expect(figure('S6', '120 per 60 s: requests (reads + writes)').value).toBe('9 (3 + 6)');

    const markdown = renderMarkdown(results);
    expect(markdown).toContain('| Scenario | Figure | Value | Target | Met? |');
    expect(markdown).toContain(
      '| S1 | calls vs ideal ceil(N/100) + changed | 14 vs 12 (+2) | ≤ ideal + 5 | yes |',
    );

    expect(await benchSchemas()).toEqual(schemasBefore);
    expect(await benchKeys(redis)).toEqual(keysBefore);
    expect(lines.filter((l) => l.startsWith('cleanup failed'))).toEqual([]);
  }, 120_000);
});
