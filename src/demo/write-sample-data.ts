import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { demoRows } from './demo-rows.js';
import { sampleCsvPath, toCsv, toSeedSql, warehouseSeedPath } from './sample-files.js';

// Regenerates the committed sample data after the simulator's generator changes:
//   npx tsx src/demo/write-sample-data.ts

const rows = demoRows();
const root = packageRoot();
await writeFile(join(root, sampleCsvPath), toCsv(rows));
await writeFile(join(root, warehouseSeedPath), toSeedSql(rows));
process.stdout.write(`wrote ${rows.length} rows to ${sampleCsvPath} and ${warehouseSeedPath}\n`);
