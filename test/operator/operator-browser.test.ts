import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { HistoryStore } from '../../src/queue/history-store.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { repoRoot } from '../support/cli-command.js';
import { databaseUrl, isolatedSchema, redisUrl, uniqueName } from '../support/services.js';
import { until } from '../support/until.js';
import { type CliProcess, spawnCli } from '../worker/support/cli-process.js';

// The operator page as a person uses it: a real worker process (Redis, the simulator, a Postgres
// warehouse and results store) and Debian's Chromium driven by playwright-core. Signs in, reads
// the mappings and the last run, opens the run (changes paged, problems with codes), runs it again.

const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const apiKey = 'sk-operator-page-7d1e0c';
const token = 'op-page-token-3a9f61c2';
const prefix = uniqueName('oppage');
const resultsSchema = uniqueName('oppage_results').toLowerCase();
const listId = 1001;
const marked = '<img src=x onerror=alert(1)> Series Z';
const outputDir = join(repoRoot, 'test-output');
const screenshot = join(outputDir, 'operator-page.png');

let sim: RunningSimulator;
let warehouse: Awaited<ReturnType<typeof isolatedSchema>>;
let dir: string;
let userDataDir: string;
let worker: CliProcess;
let base: string;
let browser: BrowserContext;
let page: Page;
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
const history = new HistoryStore(connection, prefix, 100);
/** Entry id → what a person should read in its row: name, ARR before and after. */
const expected = new Map<number, { name: string; before: string; after: string }>();

function requireChromium(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `the operator page test drives Debian's Chromium at ${chromiumPath}, which is not installed: ` +
        'run `apt-get update && apt-get install -y chromium` (.ci/run does this before npm test)',
    );
  }
}

const mappingText = (name: string, extra: string, query: string) => `name: ${name}
${extra}source:
  type: postgres
  url: ${warehouse.url}
  query: ${query}
list: ${listId}
match:
  - { column: entry_id, by: listEntryId }
fields:
  arr: ARR
  stage: Stage
`;

beforeAll(async () => {
  requireChromium();
  sim = await startSimulator({
    companies: 60,
    seed: 7,
    apiKey,
    rateLimit: { limit: 100_000, windowSeconds: 60 },
  });
  warehouse = await isolatedSchema('oppage');
  const db = new pg.Client({ connectionString: warehouse.url });
  await db.connect();
  await db.query('create table warehouse (entry_id bigint primary key, arr numeric not null, stage text)');
  const list = sim.state.lists.get(listId)!;
  const arr = list.fieldById.get('field-101')!;
  for (const [i, entry] of list.entries.entries()) {
    const before = sim.state.read(entry, arr);
    const name = sim.state.companies.get(entry.entityId)?.name ?? '';
    expected.set(entry.id, {
      name,
      before: before === null ? '∅' : String(before),
      after: String(2_000_000 + entry.id),
    });
    await db.query('insert into warehouse values ($1, $2, $3)', [
      entry.id,
      2_000_000 + entry.id,
      i === 1 ? marked : null,
    ]);
  }
  await db.query('insert into warehouse values (999999, 1, null)');
  await db.end();

  dir = await mkdtemp(join(tmpdir(), 'operator-page-'));
  userDataDir = await mkdtemp(join(tmpdir(), 'operator-page-chromium-'));
  await writeFile(
    join(dir, 'portfolio-arr.yaml'),
    mappingText('portfolio-arr', '', 'select entry_id, arr, stage from warehouse order by entry_id'),
  );
  await writeFile(join(dir, 'nightly-arr.yaml'), nightly(''));
  worker = spawnCli(['worker'], {
    PATH: process.env['PATH'],
    AFFINITY_API_KEY: apiKey,
    AFFINITY_BASE_URL: sim.url,
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: prefix,
    MAPPINGS_DIR: dir,
    WORKER_HTTP_PORT: '0',
    WORKER_HTTP_HOST: '127.0.0.1',
    WORKER_HTTP_TOKEN: token,
    RESULTS_DATABASE_URL: databaseUrl(),
    RESULTS_SCHEMA: resultsSchema,
    LOG_LEVEL: 'info',
  });
  const started = await worker.waitForLog((l) => l['msg'] === 'worker started', 60_000);
  base = `http://127.0.0.1:${started['port'] as number}`;

  // A run with a change per entry (more than a page of 50), a rejected value and an unmatched row.
  await enqueueRun(queue, { mapping: 'portfolio-arr', trigger: 'backfill' }, { attempts: 1, backoffMs: 100 });
  await until('the first run in the history', async () => (await history.recent('portfolio-arr'))[0], 60_000);
  // An invalid edit of the scheduled mapping: its last valid version keeps running.
  await writeFile(join(dir, 'nightly-arr.yaml'), nightly('colour: red\n'));
  await until('the invalid edit reported by /readyz', async () => {
    const ready = (await (await fetch(`${base}/readyz`)).json()) as {
      checks: { mappings: { detail: string } };
    };
    return ready.checks.mappings.detail.includes('invalid');
  });

  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1280, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  await mkdir(outputDir, { recursive: true });
}, 120_000);

function nightly(extra: string): string {
  return mappingText(
    'nightly-arr',
    `schedule: { cron: "0 3 * * *", timezone: UTC }\n${extra}`,
    'select entry_id, arr, stage from warehouse where false',
  );
}

afterAll(async () => {
  await browser?.close();
  if (worker && worker.child.exitCode === null) {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
  await sim?.close();
  await warehouse?.drop();
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  await admin.query(`drop schema if exists "${resultsSchema}" cascade`);
  await admin.end();
  for (const path of [dir, userDataDir]) if (path) await rm(path, { recursive: true, force: true });
});

/** The text as a person sees it: rendered (line breaks between blocks, tabs between table cells). */
// biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what this test asserts
const seen = (locator: Locator) => locator.innerText();
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const section = (name: string) => page.locator(`section[aria-label="${name}"]`);

describe('the operator page in a browser', () => {
  it('refuses without the token, signs in with it, and shows each mapping and its last run', async () => {
    const refused = await page.goto(`${base}/operator`);
    expect(refused?.status()).toBe(401);
    const form = await seen(page.locator('body'));
    expect(form).toContain('Worker token (WORKER_HTTP_TOKEN)');
    expect(form).not.toContain('portfolio-arr');

    await page.fill('#token', 'not-the-token');
    await Promise.all([page.waitForURL('**/login'), page.click('button[type=submit]')]);
    expect(await seen(page.locator('body'))).toContain('That is not the worker token (WORKER_HTTP_TOKEN).');
    await page.fill('#token', token);
    await Promise.all([page.waitForURL('**/operator'), page.click('button[type=submit]')]);

    expect(await seen(page.locator('h1'))).toBe('Mappings');
    const portfolio = await seen(section('portfolio-arr'));
    expect(portfolio).toContain('none: runs on demand only');
    expect(portfolio).toContain('Writes to\nlist 1001');
    const runs = section('portfolio-arr').locator('table.runs tbody tr');
    expect(await runs.count()).toBe(1);
    const last = await seen(runs.first());
    expect(last).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\tpartial\t\d+\.\d s\tbackfill attempt 1\/1\t/);
    const n = expected.size;
    expect(last).toContain(`rows ${n + 1} read · ${n} matched · 1 unmatched · 1 rejected`);
    expect(last).toContain(`fields ${n} written · 1 rejected`);
    expect(last).toMatch(new RegExp(`\\t${n}\\t2$`));

    const scheduled = await seen(section('nightly-arr'));
    expect(scheduled).toMatch(/Schedule\n0 3 \* \* \* \(UTC\) — next \d{4}-\d\d-\d\d 03:00:00 UTC \(in /);
    expect(scheduled).toContain('Invalid edit: its file as it is now cannot be loaded; version');
    expect(scheduled).toContain('colour: unknown key "colour"');
    expect(scheduled).toContain('No runs recorded yet.');
  }, 60_000);

  it('opens a run: its changes before → after, paged, and its problems with their codes', async () => {
    await Promise.all([
      page.waitForURL('**/operator/mappings/portfolio-arr/runs/**'),
      section('portfolio-arr').locator('table.runs a').first().click(),
    ]);
    const changes = page.locator('#changes');
    const n = expected.size;
    expect(await seen(changes.locator('nav.pages'))).toBe(`Changes 1–50 of ${n}\nNext →`);
    const rows = async () => changes.locator('tbody tr').allInnerTexts();
    const firstPage = await rows();
    expect(firstPage).toHaveLength(50);

    const problems = await seen(page.locator('#problems'));
    expect(problems).toContain('Problems 1–2 of 2');
    expect(problems).toMatch(
      /rejected-value\t2\tentry_id=\d+\tstage\t—\t—\t"<img src=x onerror=alert\(1\)> Series Z" is not an option of "Stage"/,
    );
    expect(problems).toMatch(new RegExp(`unmatched\\t${n + 1}\\tentry_id=999999\\t`));
    // The value is text on the page, never markup.
    expect(await page.locator('main img').count()).toBe(0);

    await Promise.all([page.waitForURL(/changes=50/), changes.getByRole('link', { name: 'Next →' }).click()]);
    expect(await seen(page.locator('#changes nav.pages'))).toBe(`Changes 51–${n} of ${n}\n← Previous`);
    const secondPage = await rows();
    expect(secondPage).toHaveLength(n - 50);
    // Every entry once, as the simulator held it before → as the warehouse says.
    await page.screenshot({ path: join(outputDir, 'operator-run.png'), fullPage: true });
    const all = [...firstPage, ...secondPage].map((text) => text.replace(/\s+/g, ' ').trim());
    for (const [entryId, want] of expected) {
      const row = all.filter((text) => text.includes(`entry ${entryId} ·`));
      expect(row, `entry ${entryId}`).toHaveLength(1);
      expect(row[0]).toMatch(
        new RegExp(
          `^${escapeRegExp(want.name)} entry ${entryId} · entity \\d+ ARR field-101 ${want.before} → ${want.after}$`,
        ),
      );
    }
  }, 60_000);

  it('"run now" needs the token; with it a new run appears', async () => {
    await page.goto(`${base}/operator`);
    const form = section('portfolio-arr').locator('form.run-now');
    await form.locator('input[name=token]').fill('wrong-token');
    await Promise.all([
      page.waitForURL(/refused=401/),
      form.getByRole('button', { name: 'Run now' }).click(),
    ]);
    expect(await seen(page.locator('.notice').first())).toBe(
      'portfolio-arr was not run: that is not the worker token (WORKER_HTTP_TOKEN).',
    );
    expect(await section('portfolio-arr').locator('table.runs tbody tr').count()).toBe(1);

    await form.locator('input[name=token]').fill(token);
    await Promise.all([page.waitForURL(/outcome=/), form.getByRole('button', { name: 'Run now' }).click()]);
    expect(await seen(page.locator('.notice').first())).toMatch(
      /^Run of portfolio-arr queued as job portfolio-arr\.\S+\.$/,
    );

    await until(
      'the new run in the history',
      async () => (await history.recent('portfolio-arr')).length === 2,
      60_000,
    );
    await page.reload();
    const rows = await section('portfolio-arr').locator('table.runs tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    const newest = rows[0];
    expect(newest).toMatch(/\tpartial\t\d+\.\d s\thttp attempt 1\/\d\t/);
    expect(newest).toContain(`fields 0 written · ${expected.size} unchanged · 1 rejected`);
    expect(newest).toMatch(/\t0\t2$/);

    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot)).toBe(true);
  }, 90_000);
});
