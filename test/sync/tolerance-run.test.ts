import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import type { RunReport } from '../../src/sync/report.js';
import { portfolioFixture, portfolioTableSql, postgresSource, runInProcess, sql } from '../faults/support.js';
import { isolatedSchema } from '../support/services.js';

// Issue 13.5, done when: tolerate {rejectedValues: 5} with 3 rejected values → exit 0, succeeded,
// warnings 3; with 6 → partial, exit 1. expect {minRows: 1} on an empty query → fails before any write.

const apiKey = 'sk-tolerance-run-0a7e';
const n = 20;

function mapping(name: string, query: string, extra: string): string {
  return `name: ${name}
source:
${postgresSource(process.env['TOLERANCE_DB_URL']!, query)}
list: 1001
match:
  - column: company_id
    by: entityId
fields:
  arr: ARR
  stage: Stage
${extra}`;
}

describe('tolerate and expect in real runs (CLI, simulator, Postgres)', () => {
  let db: Awaited<ReturnType<typeof isolatedSchema>>;
  let dir: string;
  let sim: RunningSimulator;

  beforeAll(async () => {
    db = await isolatedSchema('tolerance');
    process.env['TOLERANCE_DB_URL'] = db.url;
    await sql(db.url, portfolioTableSql('portfolio', n));
    // Rows 1..k get a stage the list has no option for: k rejected values.
    await sql(
      db.url,
      `create view bad3 as select company_id, arr, case when company_id <= 3 then 'Series Z' else stage end as stage from portfolio`,
    );
    await sql(
      db.url,
      `create view bad6 as select company_id, arr, case when company_id <= 6 then 'Series Z' else stage end as stage from portfolio`,
    );
    dir = await mkdtemp(join(tmpdir(), 'tolerance-'));
    const tolerate = 'tolerate:\n  rejectedValues: 5\n';
    await writeFile(
      join(dir, 'three.yaml'),
      mapping('three', 'select * from bad3 order by company_id', tolerate),
    );
    await writeFile(
      join(dir, 'six.yaml'),
      mapping('six', 'select * from bad6 order by company_id', tolerate),
    );
    await writeFile(
      join(dir, 'empty.yaml'),
      mapping('empty', 'select * from portfolio where false', 'expect:\n  minRows: 1\n'),
    );
    await writeFile(
      join(dir, 'unmatched.yaml'),
      mapping(
        'unmatched',
        'select company_id + 1000 as company_id, arr, stage from portfolio',
        'expect:\n  minMatchedShare: 0.5\n',
      ),
    );
  });

  afterAll(async () => {
    await sim?.close();
    await db?.drop();
    delete process.env['TOLERANCE_DB_URL'];
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await sim?.close();
    sim = await startSimulator({ apiKey, fixture: portfolioFixture(n) });
  });

  async function run(file: string): Promise<{ code: number | null; stdout: string; report: RunReport }> {
    const reportFile = join(dir, `${file}.json`);
    const result = await runInProcess(['run', join(dir, file), '--report', reportFile], {
      AFFINITY_API_KEY: apiKey,
      AFFINITY_BASE_URL: sim.url,
      LOG_LEVEL: 'silent',
    });
    return { ...result, report: JSON.parse(await readFile(reportFile, 'utf8')) as RunReport };
  }

  const patches = () => sim.stats().patches.length;

  it('3 rejected values within rejectedValues: 5 → exit 0, succeeded with 3 warnings; the rest written', async () => {
    const { code, stdout, report } = await run('three.yaml');
    expect(code).toBe(0);
    expect(report).toMatchObject({ status: 'succeeded', warnings: 3, fields: { rejected: 3 } });
    expect(stdout).toContain('three: SUCCEEDED in');
    expect(stdout).toContain('(diff, 3 warnings)');
    expect(report.problems.filter((p) => p.code === 'rejected-value')).toHaveLength(3);
    expect(report.entries.updated).toBe(n);
  });

  it('6 rejected values beyond rejectedValues: 5 → exit 1, partial, no warnings', async () => {
    const { code, stdout, report } = await run('six.yaml');
    expect(code).toBe(1);
    expect(report).toMatchObject({ status: 'partial', warnings: 0, fields: { rejected: 6 } });
    expect(stdout).toContain('six: PARTIAL in');
  });

  it('expect minRows: 1 on an empty query fails before any write, saying which', async () => {
    const { code, stdout, report } = await run('empty.yaml');
    expect(code).toBe(1);
    expect(patches()).toBe(0);
    expect(report.status).toBe('failed');
    expect(report.error).toBe(
      'mapping "empty": the query returned 0 rows, fewer than expect.minRows 1; nothing was written — check the query and its source (an empty or stale table?), or lower expect.minRows',
    );
    expect(stdout).toContain('error: mapping "empty": the query returned 0 rows');
  });

  it('expect minMatchedShare: a query whose rows match no entry fails before any write, saying which', async () => {
    const { code, report } = await run('unmatched.yaml');
    expect(code).toBe(1);
    expect(patches()).toBe(0);
    expect(report.error).toMatch(
      /^mapping "unmatched": 0 of 20 rows \(0\.0%\) matched a list entry, less than expect\.minMatchedShare 0\.5/,
    );
    expect(report.rows).toMatchObject({ read: n, matched: 0, unmatched: n });
  });
});
