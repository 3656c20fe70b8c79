import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readEnv } from '../../src/config/env.js';
import { demoCompanies, demoSeed } from '../../src/demo/demo-rows.js';
import { warehouseSeedPath } from '../../src/demo/sample-files.js';
import { silentLogger } from '../../src/log/logger.js';
import { checkMappingText } from '../../src/mappings/load-mapping.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { executeRun } from '../../src/sync/execute-run.js';
import { isolatedSchema } from '../support/services.js';

// What `docker compose up` does every 5 minutes, without Docker: the example-warehouse mapping
// reads the seeded warehouse and writes to the simulator started as compose starts it.

const root = join(import.meta.dirname, '..', '..');

describe('the compose sync, without Docker', () => {
  let schema: Awaited<ReturnType<typeof isolatedSchema>>;
  let simulator: RunningSimulator;

  beforeAll(async () => {
    schema = await isolatedSchema('compose');
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      // The seed names its schema `analytics`; this file loads it into its own schema.
      await client.query(
        readFileSync(join(root, warehouseSeedPath), 'utf8').replace(/\banalytics(?=[.;])/g, schema.schema),
      );
    } finally {
      await client.end();
    }
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: { simulator: { command: string[] } };
    };
    const argv = compose.services.simulator.command;
    const option = (flag: string) => Number(argv[argv.indexOf(flag) + 1]);
    expect([option('--companies'), option('--seed')]).toEqual([demoCompanies, demoSeed]);
    simulator = await startSimulator({ port: 0, companies: option('--companies'), seed: option('--seed') });
  });

  afterAll(async () => {
    await simulator?.close();
    await schema?.drop();
  });

  it('writes the warehouse’s changes once, then nothing', async () => {
    const text = readFileSync(join(root, 'mappings', 'example-warehouse.yaml'), 'utf8').replace(
      'from analytics.',
      `from ${schema.schema}.`,
    );
    const checked = checkMappingText(text, 'mappings/example-warehouse.yaml', { WAREHOUSE_URL: schema.url });
    expect(checked.problems).toEqual([]);
    const loaded = { mapping: checked.mapping!, file: checked.file };
    const env = readEnv({ AFFINITY_API_KEY: simulator.apiKey, AFFINITY_BASE_URL: simulator.url });

    const first = await executeRun({ loaded, env, logger: silentLogger });
    expect(first.rows).toEqual({
      read: 33,
      matched: 32,
      unmatched: 1,
      ambiguous: 0,
      duplicate: 1,
      rejected: 1,
    });
    expect(first.entries.updated).toBeGreaterThan(0);
    expect(first.entries.failed).toBe(0);

    const second = await executeRun({ loaded, env, logger: silentLogger });
    expect(second.calls.write).toBe(0);
    expect(second.entries.updated).toBe(0);
    expect(
      simulator.stats().requestsByRoute['PATCH /v2/lists/{listId}/list-entries/{listEntryId}/fields'],
    ).toBe(first.calls.write);
  });
});
