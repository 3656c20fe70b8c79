import { formatProblem } from '../../src/mappings/config-error.js';
import { checkMappingText } from '../../src/mappings/load-mapping.js';

type Part = 'name' | 'schedule' | 'source' | 'list' | 'match' | 'fields' | 'mode';

const defaults: Record<Part, string> = {
  name: 'name: test-mapping\n',
  schedule: '',
  source: 'source:\n  type: duckdb\n  query: select 1 as id, 2 as arr\n',
  list: 'list: 12345\n',
  match: 'match:\n  - column: id\n    by: entityId\n',
  fields: 'fields:\n  arr: field-1\n',
  mode: '',
};

/** A small valid mapping in a fixed key order, with some top-level blocks replaced. */
export function mappingText(parts: Partial<Record<Part, string>> = {}): string {
  return (Object.keys(defaults) as Part[]).map((part) => parts[part] ?? defaults[part]).join('');
}

/** The problems a person reads for `text`, one formatted line each. */
export function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  return checkMappingText(text, 'mappings/test.yaml', env).problems.map(formatProblem);
}
