// Child-process probe: reads every row of the source config given as JSON in argv[2] and prints
// them as one JSON array (Dates as ISO strings), so a test can run a source under another TZ.
import { openSource } from '../../src/sources/open-source.js';

const config = JSON.parse(process.argv[2] ?? '{}');
const source = openSource(config, { mappingName: 'tz-probe' });
const rows = [];
for await (const row of source.rows()) rows.push(row);
process.stdout.write(JSON.stringify({ tz: Intl.DateTimeFormat().resolvedOptions().timeZone, rows }));
