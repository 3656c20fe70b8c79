import {
  backoffBaseMs,
  backoffMaxMs,
  maxLearnedWindowMs,
  rateLimitVerdicts,
} from '../affinity/rate-limit-policy.js';
import {
  concurrencyPollMs,
  newPeriodSlackMs,
  type PacingDecision,
  type WaitReason,
  waitReasons,
} from './pacing-math.js';

// The contract between TypeScript and redis-limiter.lua, in one table: ARGV slots in order, ops,
// reply codes, verdict and wait-reason codes, shared constants. luaPrelude() writes it as Lua
// tables placed before the script, so the script names slots and codes and never counts them.

/** ARGV slots in order (Lua's ARGV[i] is slot i − 1). Observe-only slots are '' on other ops. */
export const argvSlots = [
  'op',
  /** Milliseconds, or '' to read Redis's own TIME (tests inject a clock, production never does). */
  'now',
  'token',
  'limit',
  'windowMs',
  /** 1 when windowMs is configured (never learned), 0 when it is only assumed. */
  'windowFixed',
  'safetyMargin',
  'burst',
  'quotaReserve',
  'maxInFlight',
  'slotTtlMs',
  'stateTtlMs',
  /** observe: index in rateLimitVerdicts (the policy's reading of the answer). */
  'verdict',
  'userLimit',
  'userRemaining',
  'userReset',
  'orgLimit',
  'orgRemaining',
  'orgReset',
  'random',
] as const;
export type ArgvSlot = (typeof argvSlots)[number];

export const scriptOps = ['acquire', 'observe', 'state'] as const;
export type ScriptOp = (typeof scriptOps)[number];

/**
 * First element of every reply. acquire: {go} | {wait, waitMs, reason} | {quota, remaining,
 * resetsAtMs, reserved}; observe: {observed}; state: the stored fields as a flat name/value list.
 */
export const replyCodes = { go: 0, wait: 1, quota: 2, observed: 3 } as const;

/** Numbers the script needs from the TypeScript side. */
export const scriptConstants = {
  concurrencyPollMs,
  backoffBaseMs,
  backoffMaxMs,
  newPeriodSlackMs,
  maxLearnedWindowMs,
} as const;

type ScriptValue = string | number | undefined;

/** ARGV in slot order; a value left out is '' (the script reads it as absent). */
export function scriptArgv(values: Partial<Record<ArgvSlot, ScriptValue>>): string[] {
  return argvSlots.map((slot) => {
    const value = values[slot];
    return value === undefined ? '' : String(value);
  });
}

/** `window-spent` → `windowSpent`: Lua field names. */
function luaName(name: string): string {
  return name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

function luaTable(name: string, entries: [string, string | number][]): string {
  const body = entries
    .map(([key, value]) => `${luaName(key)} = ${typeof value === 'number' ? value : `'${value}'`}`)
    .join(', ');
  return `local ${name} = strict('${name}', { ${body} })`;
}

/** The Lua tables of this protocol; reading a name they lack is an error, never a silent nil. */
export function luaPrelude(): string {
  return [
    '-- Generated from src/limiter/redis-limiter-protocol.ts; the script below names these, never numbers.',
    'local function strict(name, t)',
    "  return setmetatable(t, { __index = function(_, key) error('limiter script: no ' .. name .. '.' .. tostring(key)) end })",
    'end',
    luaTable(
      'ARG',
      argvSlots.map((slot, i) => [slot, i + 1]),
    ),
    luaTable(
      'OP',
      scriptOps.map((op) => [op, op]),
    ),
    luaTable('REPLY', Object.entries(replyCodes)),
    luaTable(
      'VERDICT',
      rateLimitVerdicts.map((verdict, i) => [verdict, i]),
    ),
    luaTable(
      'REASON',
      waitReasons.map((reason, i) => [reason, i]),
    ),
    luaTable('CONST', Object.entries(scriptConstants)),
    '',
  ].join('\n');
}

export type ScriptReply = Array<number | string>;

/** Thrown when the script answers something this table does not know: a bug, never a decision. */
export class LimiterScriptReplyError extends Error {
  override readonly name = 'LimiterScriptReplyError';

  constructor(op: ScriptOp, reply: unknown) {
    super(
      `The Redis limiter script answered ${op} with ${JSON.stringify(reply)}, which this version does not ` +
        'understand; the script and src/limiter/redis-limiter-protocol.ts are out of step (a mixed deployment?).',
    );
  }
}

function waitReason(code: unknown, reply: ScriptReply): WaitReason {
  const reason = waitReasons[Number(code)];
  if (reason === undefined) throw new LimiterScriptReplyError('acquire', reply);
  return reason;
}

export function decodeAcquireReply(reply: ScriptReply): PacingDecision {
  switch (Number(reply[0])) {
    case replyCodes.go:
      return { kind: 'go' };
    case replyCodes.wait:
      return { kind: 'wait', waitMs: Number(reply[1]), reason: waitReason(reply[2], reply) };
    case replyCodes.quota:
      return {
        kind: 'quota',
        remaining: Number(reply[1]),
        resetsAt: Number(reply[2]),
        reserved: Number(reply[3]),
      };
    default:
      throw new LimiterScriptReplyError('acquire', reply);
  }
}

export function checkObserveReply(reply: ScriptReply): void {
  if (reply.length !== 1 || Number(reply[0]) !== replyCodes.observed) {
    throw new LimiterScriptReplyError('observe', reply);
  }
}
