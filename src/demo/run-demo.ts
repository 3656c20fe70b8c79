import { join } from 'node:path';
import { readEnv } from '../config/env.js';
import { createLogger, type Logger } from '../log/logger.js';
import { loadMappingFile } from '../mappings/load-mapping.js';
import { startSimulator } from '../simulator/server.js';
import { executeRun } from '../sync/execute-run.js';
import type { RunReport } from '../sync/report.js';
import { formatSummary } from '../sync/summary.js';
import { demoCompanies, demoListId, demoSeed } from './demo-rows.js';
import { sampleCsvPath } from './sample-files.js';

/** The mapping the demo runs, relative to the package root (the demo loads only this one). */
export const demoMappingFile = join('mappings', 'example-portfolio.yaml');

export interface DemoOptions {
  /** Where the narrative and the summaries go. @defaultValue process.stdout */
  write?: (text: string) => void;
  /** Logger for the runs (JSON on stderr). @defaultValue warnings only */
  logger?: Logger;
}

export interface DemoResult {
  /** The dry run before run 1: its `forecast` is what run 1 should spend. */
  dry: RunReport;
  first: RunReport;
  second: RunReport;
  /** PATCH …/fields calls the simulator accepted in each run. */
  patches: { first: number; second: number };
  /** 0 when the first run wrote and the second wrote nothing; 1 otherwise. */
  exitCode: number;
}

const patchRoute = 'PATCH /v2/lists/{listId}/list-entries/{listEntryId}/fields';

/**
 * The two-run demo: a simulator in-process with the generated portfolio, the bundled mapping over
 * the bundled CSV, twice. Needs the package root as working directory (the CSV path is relative).
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const logger = options.logger ?? createLogger({ level: 'warn' });
  const simulator = await startSimulator({ port: 0, companies: demoCompanies, seed: demoSeed });
  try {
    // Only what the run reads: the simulator's address and key, nothing from the caller's shell.
    const env = readEnv({
      AFFINITY_API_KEY: simulator.apiKey,
      AFFINITY_BASE_URL: simulator.url,
      LOG_LEVEL: 'warn',
    });
    const loaded = await loadMappingFile(demoMappingFile, {});
    const patches = () => simulator.stats().requestsByRoute[patchRoute] ?? 0;

    write(
      [
        'affinity-sync demo',
        `  Affinity simulator  ${simulator.url} — ${demoCompanies} generated companies on list ${demoListId} "Portfolio"`,
        `  mapping             ${loaded.file} (${loaded.mapping.name}, mode ${loaded.mapping.mode})`,
        `  source              embedded DuckDB reading ${sampleCsvPath}`,
        '',
        'Dry run: everything but the writes — the changes it would make and the calls a real run spends.',
        '',
      ].join('\n'),
    );
    const dry = await executeRun({ loaded, env, logger, dryRun: true });
    write(`${dryRunLines(dry)}\n\n`);

    write('Run 1: the warehouse differs from Affinity, so the changed values are written.\n\n');
    const first = await executeRun({ loaded, env, logger });
    const firstPatches = patches();
    write(`${formatSummary(first)}\n`);
    write(`${forecastCheck(dry, first)}\n\n`);

    write('Run 2: same data again — Affinity already holds every value, so nothing is written.\n\n');
    const second = await executeRun({ loaded, env, logger });
    const secondPatches = patches() - firstPatches;
    write(`${formatSummary(second)}\n\n`);

    const failures: string[] = [];
    if (first.status === 'failed') failures.push(`run 1 failed: ${first.error ?? 'see the summary above'}`);
    if (first.entries.updated === 0 || firstPatches === 0) failures.push('run 1 wrote nothing');
    if (second.status === 'failed') failures.push(`run 2 failed: ${second.error ?? 'see the summary above'}`);
    if (second.entries.updated > 0 || second.calls.write > 0 || secondPatches > 0) {
      failures.push(
        `run 2 wrote ${second.entries.updated} entries in ${secondPatches} PATCH calls; expected none`,
      );
    }
    if (failures.length === 0) {
      write(
        [
          `Demo passed: run 1 updated ${first.entries.updated} entries in ${firstPatches} PATCH calls; run 2 sent none.`,
          'The unmatched row, the rejected value and the duplicate row above are in the sample data on',
          'purpose: a run reports them and goes on. Next: README → Mappings, Deployment.',
          '',
        ].join('\n'),
      );
    } else {
      write(`Demo FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    }
    return {
      dry,
      first,
      second,
      patches: { first: firstPatches, second: secondPatches },
      exitCode: failures.length === 0 ? 0 : 1,
    };
  } finally {
    await simulator.close();
  }
}

/** The dry run in short: its first line, counts and forecast (the changes are run 1's to show). */
function dryRunLines(dry: RunReport): string {
  return formatSummary(dry)
    .split('\n')
    .filter((line) => !line.startsWith('    ') && !/^ {2}(changes|problems) \(/.test(line))
    .join('\n');
}

/** How far run 1's calls were from the dry run's forecast. */
export function forecastCheck(dry: RunReport, real: RunReport): string {
  const forecast = dry.forecast?.total;
  if (forecast === undefined) return 'The dry run made no forecast.';
  const off = forecast === 0 ? 0 : ((real.calls.total - forecast) / forecast) * 100;
  return `The dry run forecast ${forecast} calls; run 1 spent ${real.calls.total} (${off >= 0 ? '+' : ''}${off.toFixed(1)}%).`;
}
