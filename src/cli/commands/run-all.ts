import type { Command } from '../command.js';

// Placeholder until its issue lands: says so plainly instead of pretending to work.
export const command: Command = {
  name: 'run-all',
  summary: 'not built yet',
  usage: 'affinity-sync run-all: not built yet',
  async run() {
    process.stderr.write('affinity-sync run-all: not built yet\n');
    return 2;
  },
};
