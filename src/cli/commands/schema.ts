import { mappingJsonSchemaText } from '../../mappings/mapping-json-schema.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'schema',
  summary: 'Print the JSON Schema of the mapping format',
  usage: [
    'Usage: affinity-sync schema',
    '',
    'Prints the JSON Schema of mapping files (generated from the same schema `validate` uses).',
    'mappings/mapping.schema.json carries it; point your editor at it with the first line',
    '  # yaml-language-server: $schema=./mapping.schema.json',
    '',
    'Environment: none.',
    'Exit codes: 0 printed, 2 bad arguments.',
    '',
    'Example:',
    '  affinity-sync schema > mappings/mapping.schema.json',
  ].join('\n'),
  async run(argv) {
    if (argv.length > 0) {
      process.stderr.write(`affinity-sync schema: unexpected argument "${argv[0]}"\n`);
      return 2;
    }
    process.stdout.write(mappingJsonSchemaText());
    return 0;
  },
};
