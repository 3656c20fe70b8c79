import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMappingText } from '../../src/mappings/load-mapping.js';

// Every example mapping in the README's mapping reference is valid as written.

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const reference = readme.slice(readme.indexOf('## Mapping reference'), readme.indexOf('## Validate'));
const examples = [...reference.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .filter((text) => text.includes('\nsource:'));

describe('README example mappings', () => {
  it('has the list example and one for each target and list kind', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    const kinds = examples.map((text) => /^(?:target: (\w+)|list: \d+)$/m.exec(text)?.[1] ?? 'list');
    expect(new Set(kinds)).toEqual(new Set(['list', 'companies', 'persons']));
  });

  it.each(examples.map((text) => [/^name: (\S+)/m.exec(text)?.[1] ?? '?', text]))(
    '%s is valid',
    (_name, text) => {
      const checked = checkMappingText(text, 'README.md', {
        WAREHOUSE_URL: 'postgres://sync@warehouse/analytics',
      });
      expect(checked.problems).toEqual([]);
    },
  );
});
