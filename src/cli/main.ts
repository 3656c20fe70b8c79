#!/usr/bin/env node
import { scrub } from '../log/secrets.js';
import { errorMessage } from '../util/error-message.js';
import { type Command, UsageError } from './command.js';
import { closest } from './parse-options.js';

// Commands load lazily so `--help` and light commands never pay for drivers they do not use.
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'Run one mapping now', load: async () => (await import('./commands/run.js')).command },
  'run-all': {
    summary: 'Run every mapping once, in sequence (nightly container job)',
    load: async () => (await import('./commands/run-all.js')).command,
  },
  validate: {
    summary: 'Check mapping files (offline; --remote asks Affinity)',
    load: async () => (await import('./commands/validate.js')).command,
  },
  schema: {
    summary: 'Print the JSON Schema of the mapping format',
    load: async () => (await import('./commands/schema.js')).command,
  },
  worker: {
    summary: 'Long-running scheduler and job worker (BullMQ on Redis)',
    load: async () => (await import('./commands/worker.js')).command,
  },
  backfill: {
    summary: 'Enqueue a run of one mapping now',
    load: async () => (await import('./commands/backfill.js')).command,
  },
  status: {
    summary: 'Recent runs and next scheduled times',
    load: async () => (await import('./commands/status.js')).command,
  },
  history: {
    summary: 'What the last runs of a mapping changed (results store, else Redis history)',
    load: async () => (await import('./commands/history.js')).command,
  },
  simulator: {
    summary: 'Start a local Affinity API v2 simulator',
    load: async () => (await import('./commands/simulator.js')).command,
  },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'affinity-sync — keep Affinity list fields in step with your data warehouse',
    '',
    'Usage: affinity-sync <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `affinity-sync <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // Nothing asked: the help, on stderr with exit 2, so a script missing its arguments fails.
  if (name === undefined) {
    process.stderr.write(`${help()}\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    const { version } = await import('../util/version.js');
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    const near = closest(name, Object.keys(commands));
    const hint = near === undefined ? '' : `; did you mean "${near}"?`;
    process.stderr.write(`affinity-sync: unknown command "${name}"${hint}\n\n${help()}\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`affinity-sync ${name}: ${error.message}\n\n${command.usage}\n`);
    return 2;
  }
}

let settled = false;
// Work that never settles (a driver waiting on a dead connection) lets Node run out of things to
// do and exit 0 in silence; a command that did not finish must not look like one that succeeded.
process.once('beforeExit', () => {
  if (settled) return;
  process.stderr.write(
    'affinity-sync: the command stopped before finishing (an operation never completed); nothing after it ran — please report this as a bug\n',
  );
  process.exitCode = 1;
});

main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error: unknown) => {
    settled = true;
    process.stderr.write(`affinity-sync: ${scrub(errorMessage(error))}\n`);
    process.exitCode = 1;
  },
);
