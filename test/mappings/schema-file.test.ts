import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mappingJsonSchema, mappingJsonSchemaText } from '../../src/mappings/mapping-json-schema.js';

const root = join(import.meta.dirname, '..', '..');
const committed = join(root, 'mappings', 'mapping.schema.json');

describe('the JSON Schema of mappings', () => {
  it('is committed up to date in mappings/mapping.schema.json (regenerate with `npm run schema`)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(mappingJsonSchemaText());
  });

  it('accepts the issue example (both field forms) and rejects a typo', () => {
    const validate = new Ajv({ strict: false }).compile(mappingJsonSchema());
    const example = parse(
      readFileSync(join(import.meta.dirname, 'fixtures', 'portfolio.yaml'), 'utf8'),
    ) as Record<string, unknown>;
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example, mdoe: 'diff' })).toBe(false);
    expect(validate({ ...example, fields: { arr: 5 } })).toBe(false);
  });

  it('is what `affinity-sync schema` prints', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'schema'],
      {
        cwd: root,
      },
    );
    expect(stdout).toBe(mappingJsonSchemaText());
  });
});
