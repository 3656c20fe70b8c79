import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.js';
import {
  argvSlots,
  checkObserveReply,
  decodeAcquireReply,
  LimiterScriptReplyError,
  luaPrelude,
  replyCodes,
  scriptArgv,
} from '../../src/limiter/redis-limiter-protocol.js';
import { limiterScript, limiterScriptFile } from '../../src/limiter/redis-limiter-script.js';
import { limiterKeys } from '../../src/limiter/redis-pacing-store.js';
import { createLogger } from '../../src/log/logger.js';
import { createSyncDependencies } from '../../src/sync/dependencies.js';
import { repoRoot } from '../support/cli-command.js';
import { isolatedRedis, redisUrl } from '../support/services.js';

// The one table between TypeScript and redis-limiter.lua: the script uses only names it defines,
// replies it does not know are errors, and the build ships the script.

let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ redis, prefix, cleanup } = await isolatedRedis('limiter_protocol'));
});
afterAll(async () => {
  await cleanup();
});

const lua = readFileSync(limiterScriptFile, 'utf8');

/** `NAME.field` references of the script, by table. */
function references(table: string): string[] {
  return [...new Set([...lua.matchAll(new RegExp(`\\b${table}\\.(\\w+)`, 'g'))].map((m) => m[1]!))];
}

/** The field names a generated prelude table defines. */
function defined(table: string): string[] {
  const line = luaPrelude()
    .split('\n')
    .find((l) => l.startsWith(`local ${table} = `));
  return [...(line ?? '').matchAll(/(\w+) = /g)].map((m) => m[1]!).filter((name) => name !== table);
}

describe('the limiter script protocol', () => {
  it('names ARGV slots and codes only through the generated tables', () => {
    expect(lua).not.toMatch(/ARGV\[\s*\d/);
    for (const table of ['ARG', 'OP', 'REPLY', 'VERDICT', 'REASON', 'CONST']) {
      const missing = references(table).filter((name) => !defined(table).includes(name));
      expect(missing, `${table} names the script uses but the table lacks`).toEqual([]);
    }
    // arg('x') reads slot x.
    const viaArg = [...lua.matchAll(/\barg\('(\w+)'\)/g)].map((m) => m[1]!);
    expect(viaArg.filter((name) => !(argvSlots as readonly string[]).includes(name))).toEqual([]);
    expect(new Set(argvSlots).size).toBe(argvSlots.length);
  });

  it('lays out ARGV in slot order, absent values as empty strings', () => {
    const argv = scriptArgv({ op: 'observe', token: 't', userRemaining: 0, random: 0.25 });
    expect(argv).toHaveLength(argvSlots.length);
    expect(argv[argvSlots.indexOf('op')]).toBe('observe');
    expect(argv[argvSlots.indexOf('userRemaining')]).toBe('0');
    expect(argv[argvSlots.indexOf('random')]).toBe('0.25');
    expect(argv[argvSlots.indexOf('now')]).toBe('');
  });

  it('makes a name missing from a table an error inside Redis, not a nil', async () => {
    await expect(redis.eval(`${luaPrelude()}return ARG.nope`, 0)).rejects.toThrow(
      /limiter script: no ARG\.nope/,
    );
    await expect(redis.eval(`${luaPrelude()}return ARG.userReset`, 0)).resolves.toBe(
      argvSlots.indexOf('userReset') + 1,
    );
  });

  it('treats a reply it does not know as an error, never as a wait', () => {
    expect(decodeAcquireReply([replyCodes.go])).toEqual({ kind: 'go' });
    expect(decodeAcquireReply([replyCodes.wait, 88, 1])).toEqual({
      kind: 'wait',
      waitMs: 88,
      reason: 'window',
    });
    expect(() => decodeAcquireReply([9, 100, 0])).toThrow(LimiterScriptReplyError);
    expect(() => decodeAcquireReply([replyCodes.wait, 100, 7])).toThrow(
      'The Redis limiter script answered acquire with [1,100,7], which this version does not understand; ' +
        'the script and src/limiter/redis-limiter-protocol.ts are out of step (a mixed deployment?).',
    );
    expect(() => checkObserveReply([0])).toThrow(LimiterScriptReplyError);
    expect(() => checkObserveReply([replyCodes.observed])).not.toThrow();
  });

  it('refuses an unknown op', async () => {
    const keys = limiterKeys('key-op', prefix);
    await expect(
      redis.eval(limiterScript(), 2, keys.state, keys.slots, ...scriptArgv({ op: 'nope', limit: 1 })),
    ).rejects.toThrow(/unknown op nope/);
  });

  it('ships in the build next to the compiled code', () => {
    const built = join(repoRoot, 'dist', 'src', 'limiter', 'redis-pacing-store.js');
    const shipped = join(repoRoot, 'dist', 'src', 'limiter', 'redis-limiter.lua');
    // Only a build older than the script may lack it (npm test always builds first).
    if (existsSync(built) && statSync(built).mtimeMs >= statSync(limiterScriptFile).mtimeMs) {
      expect(readFileSync(shipped, 'utf8')).toBe(lua);
    }
  });
});

describe('limiter keys', () => {
  it('live under <QUEUE_PREFIX>:limiter:{sha256}, with no doubled "limiterlimiter"', async () => {
    const apiKey = 'key-prefix-check';
    const env = readEnv({
      AFFINITY_API_KEY: apiKey,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix.slice(0, -1),
    });
    const deps = await createSyncDependencies(env, createLogger({ level: 'silent' }), 'keys');
    try {
      await (await deps.limiter.acquire()).release({ kind: 'response', status: 200, headers: {} });
    } finally {
      await deps.close();
    }
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toContain(limiterKeys(apiKey, prefix).state);
    expect(limiterKeys(apiKey, prefix).state).toMatch(/:limiter:\{[0-9a-f]{64}\}:state$/);
    expect(keys.filter((key) => key.includes('limiterlimiter'))).toEqual([]);
  });
});
