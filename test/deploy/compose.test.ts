import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readEnv } from '../../src/config/env.js';
import { demoCompanies, demoListId, demoSeed } from '../../src/demo/demo-rows.js';
import { warehouseSeedPath } from '../../src/demo/sample-files.js';
import { checkMappingsDir } from '../../src/mappings/load-mapping.js';

// No Docker engine runs where the tests run: this reads docker-compose.yml and checks what can be
// checked without one — files, ports, variables and commands line up with what the code reads.

const root = join(import.meta.dirname, '..', '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  healthcheck?: { test: string[] };
}

/** Compose's own interpolation of `${VAR}` and `${VAR:-default}`, with no variables set. */
function interpolate(value: string, vars: Record<string, string> = {}): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
    return vars[name] ?? fallback ?? '';
  });
}

const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  expect(found, `service ${name}`).toBeDefined();
  return found!;
};
const env = (name: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
  );
const command = (name: string): string[] => (service(name).command ?? []).map((part) => interpolate(part));
const option = (argv: string[], flag: string): string | undefined => {
  const at = argv.indexOf(flag);
  return at < 0 ? undefined : argv[at + 1];
};
/** Bind mounts as [host path, container path]. */
const binds = (name: string): [string, string][] =>
  (service(name).volumes ?? [])
    .filter((v) => v.startsWith('./') || v.startsWith('/'))
    .map((v) => v.split(':') as [string, string]);

describe('docker-compose.yml', () => {
  it('has redis, a postgres warehouse, the simulator and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(['redis', 'simulator', 'warehouse', 'worker']);
    for (const [name, s] of Object.entries(services)) {
      for (const dependency of Object.keys(s.depends_on ?? {})) {
        expect(Object.keys(services), `${name} depends on ${dependency}`).toContain(dependency);
        expect(service(dependency).healthcheck, `${dependency} has a healthcheck to wait for`).toBeDefined();
      }
    }
  });

  it('builds the app services from this repository’s Dockerfile', () => {
    for (const name of ['simulator', 'worker']) {
      const build = service(name).build;
      const context = typeof build === 'string' ? build : build?.context;
      const dockerfile = typeof build === 'object' ? (build.dockerfile ?? 'Dockerfile') : 'Dockerfile';
      expect(context, `${name} build context`).toBeDefined();
      expect(statSync(join(root, context!)).isDirectory()).toBe(true);
      expect(existsSync(join(root, context!, dockerfile))).toBe(true);
    }
    // Third-party images are pinned to a major version, never `latest`.
    for (const name of ['redis', 'warehouse']) {
      expect(service(name).image).toMatch(/^[a-z]+:\d+(\.\d+)?-alpine$/);
    }
  });

  it('runs redis with noeviction and an append-only file, as BullMQ needs', () => {
    const argv = command('redis');
    expect(argv[0]).toBe('redis-server');
    expect(option(argv, '--maxmemory-policy')).toBe('noeviction');
    expect(option(argv, '--appendonly')).toBe('yes');
  });

  it('mounts only files and folders that exist', () => {
    for (const name of Object.keys(services)) {
      for (const [host] of binds(name)) {
        expect(existsSync(join(root, host)), `${name} mounts ${host}`).toBe(true);
      }
    }
  });

  it('seeds the warehouse from the committed SQL file', () => {
    const mount = binds('warehouse').find(([, inside]) => inside.startsWith('/docker-entrypoint-initdb.d/'));
    expect(mount?.[0]).toBe(`./${warehouseSeedPath}`);
    expect(mount?.[1]).toMatch(/\.sql$/);
  });

  it('starts the simulator with the generated portfolio the sample data was made from', () => {
    const argv = command('simulator');
    expect(argv[0]).toBe('simulator');
    expect(option(argv, '--host')).toBe('0.0.0.0');
    expect(Number(option(argv, '--companies'))).toBe(demoCompanies);
    expect(Number(option(argv, '--seed'))).toBe(demoSeed);
    const port = option(argv, '--port');
    expect(service('simulator').ports).toContain(`${port}:${port}`);
    expect(service('simulator').healthcheck?.test.join(' ')).toContain(`:${port}/`);
  });

  it('points the worker at the simulator, redis and the warehouse with matching ports and credentials', () => {
    const worker = env('worker');
    const simulatorArgs = command('simulator');
    expect(command('worker')).toEqual(['worker']);
    expect(worker['AFFINITY_BASE_URL']).toBe(`http://simulator:${option(simulatorArgs, '--port')}`);
    expect(worker['AFFINITY_API_KEY']).toBe(option(simulatorArgs, '--key'));
    expect(worker['REDIS_URL']).toBe('redis://redis:6379');
    const warehouse = env('warehouse');
    const url = new URL(worker['WAREHOUSE_URL']!);
    expect(url.hostname).toBe('warehouse');
    expect(url.port).toBe('5432');
    expect(url.username).toBe(warehouse['POSTGRES_USER']);
    expect(url.password).toBe(warehouse['POSTGRES_PASSWORD']);
    expect(url.pathname).toBe(`/${warehouse['POSTGRES_DB']}`);
    const parsed = readEnv(worker);
    expect(service('worker').ports).toContain(`${parsed.WORKER_HTTP_PORT}:${parsed.WORKER_HTTP_PORT}`);
    expect(parsed.WORKER_HTTP_TOKEN).toBeDefined();
  });

  it('gives the worker more time to stop than WORKER_SHUTDOWN_TIMEOUT_MS, so SIGTERM hands jobs back', () => {
    const grace = /^(\d+)s$/.exec(service('worker').stop_grace_period ?? '')?.[1];
    expect(grace, 'stop_grace_period in seconds').toBeDefined();
    // Then a 2 s exit backstop.
    expect(Number(grace) * 1000).toBeGreaterThan(readEnv(env('worker')).WORKER_SHUTDOWN_TIMEOUT_MS + 2000);
  });

  it('mounts the example mappings where MAPPINGS_DIR points, all valid with the worker’s environment', async () => {
    const worker = env('worker');
    const mappings = binds('worker').find(([host]) => host === './mappings');
    expect(mappings?.[1]).toBe(worker['MAPPINGS_DIR']);
    // The DuckDB example reads data/… relative to the image's working directory, /app.
    expect(binds('worker').find(([host]) => host === './data')?.[1]).toBe('/app/data');
    const checked = await checkMappingsDir(join(root, 'mappings'), worker);
    expect(checked.flatMap((c) => c.problems)).toEqual([]);
    const byName = new Map(checked.map((c) => [c.mapping!.name, c.mapping!]));
    expect([...byName.keys()]).toEqual(expect.arrayContaining(['example-portfolio', 'example-warehouse']));
    expect(byName.get('example-portfolio')?.list).toBe(demoListId);
    expect(byName.get('example-warehouse')?.list).toBe(demoListId);
    // `docker compose up` shows a scheduled sync within minutes; the CSV example runs on demand only.
    expect(byName.get('example-warehouse')?.schedule?.cron).toBe('*/5 * * * *');
    expect(byName.get('example-portfolio')?.schedule).toBeUndefined();
  });

  it('offers every command it runs in the CLI, with the options it passes', () => {
    // The built CLI, as in the image (`npm test` builds first, like test/cli.test.ts expects).
    const cli = join(root, 'dist', 'src', 'cli', 'main.js');
    const usage = spawnSync(process.execPath, [cli, 'simulator', '--help'], { encoding: 'utf8', cwd: root });
    expect(usage.status, usage.stderr).toBe(0);
    for (const flag of command('simulator').filter((part) => part.startsWith('--'))) {
      expect(usage.stdout, `simulator --help mentions ${flag}`).toContain(flag);
    }
    const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8', cwd: root });
    expect(help.stdout).toContain('  worker');
  });

  // docker compose (or the Debian docker-compose package) validates the file when it is installed.
  const composeCli = ['docker-compose', 'docker'].find((bin) => {
    const args = bin === 'docker' ? ['compose', 'version'] : ['version'];
    return spawnSync(bin, args, { encoding: 'utf8' }).status === 0;
  });
  it.skipIf(composeCli === undefined)('passes `docker compose config` when compose is installed', () => {
    const args = composeCli === 'docker' ? ['compose', 'config', '--quiet'] : ['config', '--quiet'];
    const result = spawnSync(composeCli!, args, { encoding: 'utf8', cwd: root });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
