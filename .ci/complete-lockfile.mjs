#!/usr/bin/env node
// Adds lockfile entries for other platforms' optional native packages (biome, duckdb, msgpackr)
// that this machine's registry mirror does not serve, so `npm ci` accepts the lock everywhere.
// Run after `npm install` changes dependencies: node .ci/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const entry of Object.values(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec))
      throw new Error(`${name}: "${spec}" is not an exact version`);
    const base = name.split('/').pop();
    const os = ['android', 'darwin', 'linux', 'win32', 'freebsd'].find((o) => base.includes(o));
    const cpu = ['arm64', 'x64', 'arm', 'ia32'].find((c) => new RegExp(`-${c}(-|$)`).test(base));
    if (!os || !cpu) throw new Error(`${name}: cannot tell its platform from the name`);
    packages[key] = {
      version: spec,
      cpu: [cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(os === 'linux' ? { libc: [base.includes('musl') ? 'musl' : 'glibc'] } : {}),
      optional: true,
      os: [os],
    };
    added += 1;
  }
}
// Order does not matter to npm; the next `npm install` puts the entries in its own order.
if (added > 0) writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} entr${added === 1 ? 'y' : 'ies'}`);
