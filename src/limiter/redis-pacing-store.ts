import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AttemptResult } from '../affinity/limiter.js';
import { classifyAttempt, rateLimitVerdicts } from '../affinity/rate-limit-policy.js';
import type { PacingDecision, PacingSettings, PacingState } from './pacing-math.js';
import {
  type ArgvSlot,
  checkObserveReply,
  decodeAcquireReply,
  type ScriptOp,
  type ScriptReply,
  scriptArgv,
} from './redis-limiter-protocol.js';
import { limiterScript } from './redis-limiter-script.js';

// Thin typed access to the Lua script: one round trip per decision, nothing decided here.

const commandName = 'affinitySyncLimiter';
/** Unused state is dropped after this long; the monthly quota is relearned from the next header. */
const stateTtlMs = 40 * 24 * 3600 * 1000;

type ScriptCommand = (stateKey: string, slotsKey: string, ...args: string[]) => Promise<ScriptReply>;

/** Redis keys of one API key's limiter: a hash of the key, never the key itself. */
export function limiterKeys(apiKey: string, keyPrefix: string): { state: string; slots: string } {
  const hash = createHash('sha256').update(apiKey).digest('hex');
  // The braces keep both keys in one cluster slot, as a multi-key script requires.
  return { state: `${keyPrefix}limiter:{${hash}}:state`, slots: `${keyPrefix}limiter:{${hash}}:slots` };
}

export class RedisPacingStore {
  readonly #command: ScriptCommand;
  readonly #keys: { state: string; slots: string };
  readonly #common: Partial<Record<ArgvSlot, number>>;

  constructor(
    redis: Redis,
    keys: { state: string; slots: string },
    settings: PacingSettings,
    slotTtlMs: number,
  ) {
    if (!(commandName in redis)) redis.defineCommand(commandName, { numberOfKeys: 2, lua: limiterScript() });
    // defineCommand adds the method at runtime; ioredis cannot type it.
    this.#command = (redis as unknown as Record<string, ScriptCommand>)[commandName]!.bind(redis);
    this.#keys = keys;
    const { limit, windowMs, safetyMargin, burst, quotaReserve, maxInFlight } = settings;
    this.#common = {
      limit,
      windowMs,
      windowFixed: settings.windowFixed ? 1 : 0,
      safetyMargin,
      burst,
      quotaReserve,
      maxInFlight,
      slotTtlMs,
      stateTtlMs,
    };
  }

  #run(
    op: ScriptOp,
    now: number | undefined,
    token: string,
    extra: Partial<Record<ArgvSlot, number | undefined>> = {},
  ): Promise<ScriptReply> {
    const argv = scriptArgv({ ...this.#common, ...extra, op, now, token });
    return this.#command(this.#keys.state, this.#keys.slots, ...argv);
  }

  /** Asks for one slot; `now` is for tests only (production lets the script read Redis's TIME). */
  async acquire(token: string, now?: number): Promise<PacingDecision> {
    return decodeAcquireReply(await this.#run('acquire', now, token));
  }

  async observe(token: string, result: AttemptResult, random: number, now?: number): Promise<void> {
    const h = result.kind === 'response' ? result.headers : {};
    const reply = await this.#run('observe', now, token, {
      verdict: rateLimitVerdicts.indexOf(classifyAttempt(result)),
      userLimit: h.userLimit,
      userRemaining: h.userRemaining,
      userReset: h.userReset,
      orgLimit: h.orgLimit,
      orgRemaining: h.orgRemaining,
      orgReset: h.orgReset,
      random,
    });
    checkObserveReply(reply);
  }

  /** The stored state (fields never set are undefined), for tests and diagnostics. */
  async state(now?: number): Promise<Partial<PacingState>> {
    const reply = await this.#run('state', now, '');
    const state: Record<string, number | boolean> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) state[String(reply[i])] = Number(reply[i + 1]);
    state['windowConfirmed'] = state['windowConfirmed'] === 1;
    return state as Partial<PacingState>;
  }
}
