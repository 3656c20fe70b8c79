import { readFileSync } from 'node:fs';
import { luaPrelude } from './redis-limiter-protocol.js';

// The shared limiter's Lua source, read once per process from redis-limiter.lua beside this module
// (the build copies it into dist) and preceded by the protocol's generated tables.

/** The script file, next to this module in src/ and in dist/. */
export const limiterScriptFile = new URL('./redis-limiter.lua', import.meta.url);

let cached: string | undefined;

/** The full script text the Redis limiter loads (ioredis defineCommand: EVALSHA, EVAL once on NOSCRIPT). */
export function limiterScript(): string {
  if (cached !== undefined) return cached;
  let body: string;
  try {
    body = readFileSync(limiterScriptFile, 'utf8');
  } catch (error) {
    throw new Error(
      `The Redis limiter script ${limiterScriptFile.pathname} is missing: the build copies it next to the ` +
        'compiled code (npm run build); a hand-made dist/ or image must include it.',
      { cause: error },
    );
  }
  cached = `${luaPrelude()}${body}`;
  return cached;
}
