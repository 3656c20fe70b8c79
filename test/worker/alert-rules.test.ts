import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readEnv } from '../../src/config/env.js';
import { createApp } from '../../src/http/create-app.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadMappingFile } from '../../src/mappings/load-mapping.js';
import { SyncMetrics } from '../../src/metrics/sync-metrics.js';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { openRedis } from '../../src/queue/redis-connection.js';
import { openSyncQueue } from '../../src/queue/sync-queue.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import type { RunReport } from '../../src/sync/report.js';
import { redisUrl, uniqueName } from '../support/services.js';
import { groupingLabels, parseScrape, type Scrape, selectorsOf } from './support/prometheus-text.js';

// Every alert rule in the README names metrics, labels and label values the worker's real /metrics
// serves after real runs (succeeded with warnings, partial, failed), and rates only counters.

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const apiKey = 'sk-alert-rules-4c1d';
const prefix = uniqueName('alerts');
const connection = openRedis(redisUrl());
const queue = openSyncQueue({ QUEUE_PREFIX: prefix }, connection);
const metrics = new SyncMetrics({ defaultMetrics: false });
let sim: RunningSimulator;
let dir: string;

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function readmeRules(): Rule[] {
  const start = readme.indexOf('### Alert rules');
  const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  expect(block, 'README has an Alert rules yaml block').toBeDefined();
  const doc = parse(block!) as { groups: Array<{ name: string; rules: Rule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

async function runMapping(name: string, query: string, extra = ''): Promise<RunReport> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `name: ${name}\nsource:\n  type: duckdb\n  query: ${query}\nlist: 1001\nmatch:\n  - { column: entry_id, by: listEntryId }\nfields:\n  arr: ARR\n${extra}`,
  );
  const env = readEnv({ AFFINITY_API_KEY: apiKey, AFFINITY_BASE_URL: sim.url, LOG_LEVEL: 'silent' });
  const report = await executeRun({ loaded: await loadMappingFile(file), env, logger: silentLogger });
  metrics.recordRun(report);
  return report;
}

async function scrape(): Promise<Scrape> {
  const app = createApp({
    queue,
    metrics: metrics.registry,
    health: async () => ({ ok: true, checks: {} }),
    mappingNames: () => new Set(),
    enqueue: (payload) => enqueueRun(queue, payload, { attempts: 1, backoffMs: 10 }),
    token: undefined,
    logger: silentLogger,
  });
  const response = await app.request('/metrics');
  expect(response.status).toBe(200);
  return parseScrape(await response.text());
}

beforeAll(async () => {
  sim = await startSimulator({ companies: 5, apiKey });
  dir = await mkdtemp(join(tmpdir(), 'alert-rules-'));
  const ok = await runMapping(
    'nightly',
    `"select 100001 as entry_id, 7 as arr union all select 100002, 'x'"`,
    'tolerate: { rejectedValues: 1 }\n',
  );
  expect(ok).toMatchObject({ status: 'succeeded', warnings: 1 });
  const partial = await runMapping('nightly', `"select 100001 as entry_id, 'y' as arr"`);
  expect(partial.status).toBe('partial');
  const failed = await runMapping(
    'nightly',
    `"select 1 as entry_id, 2 as arr where false"`,
    'expect: { minRows: 1 }\n',
  );
  expect(failed.status).toBe('failed');
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  connection.disconnect();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('README alert rules against a real /metrics scrape', () => {
  it('the README has the staleness, partial and failure-share rules, each with labels and a summary', () => {
    const rules = readmeRules();
    expect(rules.map((r) => r.alert)).toEqual([
      'AffinitySyncStale',
      'AffinitySyncPartial',
      'AffinitySyncFailing',
    ]);
    for (const rule of rules) {
      expect(rule.labels?.['severity'], rule.alert).toBeDefined();
      expect(rule.annotations?.['summary'], rule.alert).toContain('{{ $labels.mapping }}');
    }
  });

  it('every metric, label and label value a rule names is served, and increase() reads counters only', async () => {
    const served = await scrape();
    for (const rule of readmeRules()) {
      const selectors = selectorsOf(rule.expr, 'affinity_sync_');
      expect(selectors.length, rule.alert).toBeGreaterThan(0);
      for (const { metric, matchers, fn } of selectors) {
        const series = served.series.get(metric);
        expect(series, `${rule.alert}: ${metric} is served`).toBeDefined();
        for (const label of groupingLabels(rule.expr))
          expect(
            series!.every((s) => label in s),
            `${rule.alert}: ${metric} has label ${label}`,
          ).toBe(true);
        for (const { label, op, value } of matchers) {
          const values = new Set(series!.map((s) => s[label]));
          expect(values.has(undefined), `${rule.alert}: every ${metric} series has ${label}`).toBe(false);
          // Each alternative a matcher names is a value some series carries after these runs.
          const wanted = op === '=~' || op === '!~' ? value.split('|') : [value];
          for (const v of wanted)
            expect(values.has(v), `${rule.alert}: ${metric}{${label}="${v}"}`).toBe(true);
        }
        if (fn === 'increase' || fn === 'rate')
          expect(served.types.get(metric), `${rule.alert}: ${fn}(${metric})`).toBe('counter');
        if (fn === 'max_over_time' || metric.endsWith('_timestamp_seconds'))
          expect(served.types.get(metric), `${rule.alert}: ${metric}`).toBe('gauge');
      }
    }
  });

  it('the health metrics carry the runs: last run per status, warnings, rejected values, failed entries', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /affinity_sync_last_run_timestamp_seconds\{mapping="nightly",status="succeeded"\} \d/,
    );
    expect(text).toMatch(/affinity_sync_last_run_timestamp_seconds\{mapping="nightly",status="partial"\} \d/);
    expect(text).toMatch(/affinity_sync_last_run_timestamp_seconds\{mapping="nightly",status="failed"\} \d/);
    expect(text).toContain('affinity_sync_warnings_total{mapping="nightly"} 1');
    expect(text).toContain('affinity_sync_rejected_values_total{mapping="nightly"} 2');
    expect(text).toContain('affinity_sync_failed_entries_total{mapping="nightly",reason="refused"} 0');
    expect(text).toContain('affinity_sync_unmatched_rows_total{mapping="nightly"} 0');
    // The succeeded run with a warning moved the last success.
    expect(text).toMatch(/affinity_sync_last_success_timestamp_seconds\{mapping="nightly"\} \d/);
  });
});
