import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validate } from '../../src/cli/commands/validate.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import type { RunReport } from '../../src/sync/report.js';
import {
  portfolioFixture,
  portfolioMapping,
  portfolioTableSql,
  postgresSource,
  runInProcess,
  sql,
} from '../faults/support.js';
import { isolatedSchema } from '../support/services.js';

// Issue 15.3: a dry run's forecast is what the real run spends; a dry run and validate --remote
// warn when a run would spend more than QUOTA_WARN_SHARE of the monthly allowance left.

const apiKey = 'sk-quota-forecast-2b8a';
const n = 20;

describe('the quota forecast against a monthly allowance (CLI, simulator, Postgres)', () => {
  let db: Awaited<ReturnType<typeof isolatedSchema>>;
  let dir: string;
  let sim: RunningSimulator;
  let file: string;

  beforeAll(async () => {
    db = await isolatedSchema('quota_forecast');
    await sql(db.url, portfolioTableSql('portfolio', n));
    dir = await mkdtemp(join(tmpdir(), 'quota-forecast-'));
    file = join(dir, 'quota.yaml');
    await writeFile(
      file,
      portfolioMapping('quota', postgresSource(db.url, 'select * from portfolio order by company_id')),
    );
  });

  afterAll(async () => {
    await sim?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await sim?.close();
    // 60 calls left of 1,000 this month; 30 days to the reset.
    sim = await startSimulator({
      apiKey,
      fixture: portfolioFixture(n),
      orgQuota: { limit: 1000, remaining: 60 },
    });
  });

  const env = (extra: Record<string, string> = {}) => ({
    AFFINITY_API_KEY: apiKey,
    AFFINITY_BASE_URL: sim.url,
    LOG_LEVEL: 'silent',
    ...extra,
  });

  async function run(args: string[], extra: Record<string, string> = {}) {
    const reportFile = join(dir, `report-${args.length}.json`);
    const result = await runInProcess(['run', file, ...args, '--report', reportFile], env(extra));
    return { ...result, report: JSON.parse(await readFile(reportFile, 'utf8')) as RunReport };
  }

  it('a dry run forecasts the real run exactly and warns above QUOTA_WARN_SHARE of what is left', async () => {
    const dry = await run(['--dry-run']);
    expect(dry.code).toBe(0);
    // 1 field page + 1 dropdown option list + 1 page of 20 entries; 20 PATCHes.
    expect(dry.report.forecast).toEqual({
      reads: 3,
      writes: 20,
      total: 23,
      allowance: { remaining: 57, limit: 1000, resetSeconds: expect.any(Number) },
      warning:
        'a real run would spend 23 calls, 40% of the 57 left this month (QUOTA_WARN_SHARE 0.2); the allowance resets in 30 days',
    });
    expect(dry.stdout).toContain(
      '  forecast a real run: 23 calls (3 read, 20 write); 57 calls of the monthly allowance left (of 1,000)\n' +
        '  warning  quota: a real run would spend 23 calls, 40% of the 57 left this month (QUOTA_WARN_SHARE 0.2); the allowance resets in 30 days\n',
    );
    const real = await run([]);
    expect(real.code).toBe(0);
    expect(real.report.calls.total).toBe(dry.report.forecast?.total);
    // A real run's summary does not repeat the forecast; its report keeps it.
    expect(real.stdout).not.toContain('forecast');
    expect(real.report.forecast).toMatchObject({ reads: 3, writes: 20, total: 23 });
  });

  it('no warning when the run stays within the share', async () => {
    const dry = await run(['--dry-run'], { QUOTA_WARN_SHARE: '0.5' });
    expect(dry.report.forecast?.warning).toBeUndefined();
    expect(dry.stdout).not.toContain('warning  quota');
  });

  it('validate --remote prints the reads it knows and the allowance left, and warns on the known reads', async () => {
    let out = '';
    const code = await validate([file, '--remote'], {
      env: { ...env({ QUOTA_WARN_SHARE: '0.01' }), PATH: process.env['PATH'] },
      out: (text) => {
        out += text;
      },
      err: () => undefined,
    });
    expect(code).toBe(0);
    expect(out).toContain(
      '  calls    a real run reads 2 (1 field page, 1 dropdown option list) + 1 per 100 list entries, then writes 1 per changed entry (per 100 changed fields); `run --dry-run` counts them exactly\n',
    );
    // validate asked for the list and its fields: 58 left.
    expect(out).toContain('  quota    58 calls of the monthly allowance left (of 1,000)\n');
    expect(out).toContain(
      '  warning  quota: a real run would spend at least 3 calls, 5.2% of the 58 left this month (QUOTA_WARN_SHARE 0.01); the allowance resets in 30 days\n',
    );
  });
});
