// Copies the files the compiled code reads at run time but tsc does not emit (the Redis limiter's
// Lua script) from src/ to the same place under dist/src/. Runs after tsc in `npm run build`.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const assetExtensions = ['.lua'];

for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' })) {
  if (!assetExtensions.some((ext) => file.endsWith(ext))) continue;
  cpSync(join('src', file), join('dist', 'src', file));
}
