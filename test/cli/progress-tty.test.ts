import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/server.js';
import { cliArgs, repoRoot } from '../support/cli-command.js';
import { uniqueName } from '../support/services.js';
import { until } from '../support/until.js';

// Issue 13.8: on a real terminal (tmux) the progress line and the log lines never share a line;
// with stderr redirected the logs stay; --quiet turns progress off.

const exec = promisify(execFile);
const apiKey = 'sk-progress-tty-77e1';
const socket = uniqueName('tty');
const tmux = (...args: string[]) => exec('tmux', ['-L', socket, ...args]);
const progressLine = /(resolving|scanning|reading|writing|done): \d+ rows, \d+ entries scanned/;
let sim: RunningSimulator;
let dir: string;

beforeAll(async () => {
  // 120 entries to write at ~40 ms each, 8 in flight, 10% of requests 503 (retried, logged as warnings);
  // a window far above the run so pacing does not stretch it.
  sim = await startSimulator({
    apiKey,
    companies: 120,
    seed: 3,
    faults: { latencyMs: 40, errorRate: 0.1 },
    rateLimit: { limit: 100_000, windowSeconds: 60 },
  });
  dir = await mkdtemp(join(tmpdir(), 'progress-tty-'));
  const rows = Array.from(
    { length: 120 },
    (_, i) => `select ${100_001 + i} as entry_id, ${i + 7} as arr`,
  ).join(' union all ');
  await writeFile(
    join(dir, 'tty.yaml'),
    `name: tty\nsource:\n  type: duckdb\n  query: "${rows}"\nlist: 1001\nmatch:\n  - { column: entry_id, by: listEntryId }\nfields:\n  arr: ARR\n`,
  );
}, 60_000);

afterAll(async () => {
  await tmux('kill-server').catch(() => undefined);
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `affinity-sync run tty.yaml …` in a 400-column tmux pane; the whole pane history, wrapped lines joined. */
async function inTerminal(name: string, args: string, redirect = ''): Promise<string> {
  sim.reset();
  const command = [process.execPath, ...cliArgs()].map((a) => `'${a}'`).join(' ');
  const script = join(dir, `${name}.sh`);
  await writeFile(
    script,
    [
      `cd '${repoRoot}'`,
      `export AFFINITY_API_KEY='${apiKey}' AFFINITY_BASE_URL='${sim.url}' LOG_LEVEL=info`,
      `${command} run '${join(dir, 'tty.yaml')}' ${args} ${redirect}`,
      `echo "__EXIT_$?__"`,
      'sleep 600',
    ].join('\n'),
  );
  await tmux('new-session', '-d', '-s', name, '-x', '400', '-y', '100', `bash '${script}'`);
  await tmux('set-option', '-t', name, 'history-limit', '10000');
  const pane = await until(
    `${name} to finish in tmux`,
    async () => {
      const { stdout } = await tmux('capture-pane', '-p', '-J', '-S', '-', '-t', name);
      return /__EXIT_\d+__/.test(stdout) ? stdout : undefined;
    },
    60_000,
  );
  await tmux('kill-session', '-t', name);
  return pane;
}

describe('progress and logs on a terminal (tmux)', () => {
  it('never put a log line and the progress line on one line', async () => {
    const pane = await inTerminal('both', '');
    expect(pane).toContain('__EXIT_0__');
    const lines = pane.split('\n');
    const logs = lines.filter((l) => l.includes('{"level"'));
    // Info lines of the phases and warnings of retried 503s, printed while the progress line was up.
    expect(logs.some((l) => l.includes('"msg":"current values read"'))).toBe(true);
    expect(logs.some((l) => l.includes('"msg":"Affinity request failed; retrying"'))).toBe(true);
    for (const line of logs) {
      expect(progressLine.test(line), `a log line shares the progress line: ${line}`).toBe(false);
      // The whole line is one JSON object: nothing before or after it.
      expect(() => JSON.parse(line), line).not.toThrow();
    }
    expect(pane).toContain('tty: SUCCEEDED in');
  }, 90_000);

  it('--quiet shows no progress; the logs and the summary stay', async () => {
    const pane = await inTerminal('quiet', '--quiet');
    expect(pane).toContain('__EXIT_0__');
    expect(progressLine.test(pane)).toBe(false);
    expect(pane).toContain('"msg":"current values read"');
    expect(pane).toContain('tty: SUCCEEDED in');
  }, 90_000);

  it('with stderr redirected to a file the logs are kept there, progress as log lines', async () => {
    const file = join(dir, 'stderr.log');
    const pane = await inTerminal('redirected', '', `2>'${file}'`);
    expect(pane).toContain('__EXIT_0__');
    expect(pane).not.toContain('{"level"');
    const logged = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const messages = logged.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('current values read');
    expect(messages).toContain('progress');
    expect(logged.some((l) => l.includes('\r') || l.includes('\x1b['))).toBe(false);
  }, 90_000);
});
