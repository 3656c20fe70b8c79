import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { benchFields, benchListId } from './dataset.js';

/** What differs between the benchmark's mappings. */
export interface BenchMapping {
  name: string;
  /** postgres:// URL of the warehouse. */
  url: string;
  /** Qualified warehouse table. */
  table: string;
  /** Optional SQL condition, e.g. `company_id % 3 = 0` for one of three workers. */
  where?: string;
  /** `sync:` of the mapping. @defaultValue "live" */
  sync?: 'live' | 'incremental';
}

/**
 * Writes a mapping file in the product's format (match by entity id, then by domain; five fields
 * of the Portfolio list, diff mode) and returns its path.
 */
export async function writeMappingFile(dir: string, options: BenchMapping): Promise<string> {
  const columns = ['company_id', 'domain', ...Object.keys(benchFields)].join(', ');
  const where = options.where ? ` where ${options.where}` : '';
  const mapping = {
    name: options.name,
    source: { type: 'postgres', url: options.url, query: `select ${columns} from ${options.table}${where}` },
    list: benchListId,
    match: [
      { column: 'company_id', by: 'entityId' },
      { column: 'domain', by: 'domain' },
    ],
    fields: benchFields,
    mode: 'diff',
    ...(options.sync === undefined ? {} : { sync: options.sync }),
  };
  const file = join(dir, `${options.name}.yaml`);
  await writeFile(file, stringify(mapping));
  return file;
}
