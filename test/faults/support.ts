import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { vi } from 'vitest';
import { command as runCommand } from '../../src/cli/commands/run.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import type { Fixture } from '../../src/simulator/fixture.js';
import type { RunningSimulator } from '../../src/simulator/server.js';
import { cliArgs, repoRoot } from '../support/cli-command.js';
import { isolatedSchema } from '../support/services.js';

// Shared by the fault suite: a portfolio list of N entries, the warehouse table of the values every
// entry must end with, mapping files, the CLI as a person runs it, and a logger whose lines are kept.

export const listId = 1001;
export const stages = [
  { id: 11, text: 'Seed' },
  { id: 12, text: 'Series A' },
  { id: 13, text: 'Series B' },
];

/** Entry id of company `i` (1-based). */
export const entryIdOf = (i: number): number => 10_000 + i;

/**
 * A list of `n` companies, each with old values the warehouse table changes — except those for
 * which `current(i)` is true, which already hold what the table says.
 */
export function portfolioFixture(n: number, current: (i: number) => boolean = () => false): Fixture {
  return {
    companies: Array.from({ length: n }, (_, k) => ({
      id: k + 1,
      name: `Company ${k + 1}`,
      domain: `company${k + 1}.com`,
      domains: [`company${k + 1}.com`],
    })),
    lists: [
      {
        id: listId,
        name: 'Portfolio',
        type: 'company',
        fields: [
          { id: 'field-1', name: 'ARR', type: 'list', valueType: 'number' },
          { id: 'field-2', name: 'Sector', type: 'list', valueType: 'text' },
          { id: 'field-3', name: 'Last Funding', type: 'list', valueType: 'datetime' },
          { id: 'field-4', name: 'Stage', type: 'list', valueType: 'dropdown', dropdownOptions: stages },
        ],
        entries: Array.from({ length: n }, (_, k) => ({
          id: entryIdOf(k + 1),
          entityId: k + 1,
          values: current(k + 1)
            ? expectedValues(k + 1)
            : { 'field-1': k + 1, 'field-2': 'old', 'field-3': '2020-01-01T08:00:00.000Z' },
        })),
      },
    ],
  };
}

/** What company `i` must hold after a sync, in the simulator's stored form. */
export function expectedValues(i: number): Record<string, unknown> {
  const day = String((i % 28) + 1).padStart(2, '0');
  return {
    'field-1': i * 1000 + 0.5,
    'field-2': `Sector ${i}`,
    // Dates land at midnight America/Los_Angeles (PDT in June).
    'field-3': `2024-06-${day}T07:00:00.000Z`,
    'field-4': { dropdownOptionId: stages[i % 3]!.id },
  };
}

/** SQL creating `table` with the expected values of companies 1..n. */
export function portfolioTableSql(table: string, n: number): string {
  return `create table ${table} as
    select i as company_id, i * 1000 + 0.5 as arr, 'Sector ' || i as sector,
           make_date(2024, 6, (i % 28) + 1) as last_funding,
           (array['Seed', 'Series A', 'Series B'])[(i % 3) + 1] as stage
      from generate_series(1, ${n}) as i`;
}

/** Runs SQL on a fresh connection. */
export async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** The entries (1..n) whose stored values differ from expectedValues, with what they hold. */
export function wrongEntries(sim: RunningSimulator, n: number): Array<{ entryId: number; values: unknown }> {
  const list = sim.state.lists.get(listId)!;
  const wrong: Array<{ entryId: number; values: unknown }> = [];
  for (let i = 1; i <= n; i++) {
    const values = Object.fromEntries(
      [...list.entryById.get(entryIdOf(i))!.values].sort(([a], [b]) => a.localeCompare(b)),
    );
    if (JSON.stringify(values) !== JSON.stringify(expectedValues(i)))
      wrong.push({ entryId: entryIdOf(i), values });
  }
  return wrong;
}

/** A mapping of the portfolio table (or any query with its columns) to the list. */
export function portfolioMapping(name: string, source: string): string {
  return `name: ${name}
source:
${source}
list: ${listId}
match:
  - column: company_id
    by: entityId
fields:
  arr: ARR
  sector: Sector
  last_funding: Last Funding
  stage: Stage
`;
}

/** A postgres `source:` block (indented for portfolioMapping). */
export function postgresSource(url: string, query: string): string {
  return `  type: postgres\n  url: ${url}\n  query: ${query}`;
}

/** A logger at debug level whose JSON lines are kept in `lines`. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    logger: createLogger({ level: 'debug', destination: { write: (line) => lines.push(line) } }),
    lines,
  };
}

const cli = cliArgs();

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A started `affinity-sync` process; `done` resolves with its exit code and output. */
export function startCli(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [...cli, ...args], {
    cwd: repoRoot,
    // Only what a person would set: no AFFINITY_* or REDIS_URL inherited from the test process.
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<CliResult>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** Runs `affinity-sync …args` to its end. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Variables a person sets for `run`; the in-process runner clears them between calls. */
const runVariables = ['AFFINITY_API_KEY', 'AFFINITY_BASE_URL', 'MAPPINGS_DIR', 'REDIS_URL', 'LOG_LEVEL'];

/**
 * `affinity-sync run …args` in this process (no start-up cost): the same command object the
 * binary dispatches to, with `env` as the environment and stdout / stderr captured. Log lines go
 * to fd 2 directly, so pass LOG_LEVEL=silent unless they are wanted on the console.
 */
export async function runInProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  const saved = Object.fromEntries(runVariables.map((name) => [name, process.env[name]]));
  for (const name of runVariables) delete process.env[name];
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    if (args[0] !== 'run') throw new Error(`runInProcess runs \`run\` only, not "${args[0]}"`);
    const code = await runCommand.run(args.slice(1));
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const name of Object.keys(env)) delete process.env[name];
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}

/** A warehouse schema with the portfolio table of `n` rows and a folder holding `portfolio.yaml`. */
export interface PortfolioWorkspace {
  /** Connection URL of the schema. */
  url: string;
  /** The mappings folder; the mapping is `<dir>/portfolio.yaml`. */
  dir: string;
  close(): Promise<void>;
}

export async function portfolioWorkspace(options: {
  prefix: string;
  n: number;
  mapping: string;
  query: string;
}): Promise<PortfolioWorkspace> {
  const db = await isolatedSchema(options.prefix);
  await sql(db.url, portfolioTableSql('portfolio', options.n));
  const dir = await mkdtemp(join(tmpdir(), `${options.prefix}-`));
  await writeFile(
    join(dir, 'portfolio.yaml'),
    portfolioMapping(options.mapping, postgresSource(db.url, options.query)),
  );
  return {
    url: db.url,
    dir,
    async close() {
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
