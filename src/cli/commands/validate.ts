import type { Command } from '../command.js';

// Placeholder until its issue lands: says so plainly instead of pretending to work.
export const command: Command = {
  name: 'validate',
  summary: 'not built yet',
  usage: 'affinity-sync validate: not built yet',
  async run() {
    process.stderr.write('affinity-sync validate: not built yet\n');
    return 2;
  },
};
