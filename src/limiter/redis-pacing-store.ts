import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AttemptResult } from '../affinity/limiter.js';
import { classifyAttempt, rateLimitVerdicts } from '../affinity/rate-limit-policy.js';
import type { PacingDecision, PacingSettings, PacingState } from './pacing-math.js';
import { waitReasons } from './pacing-math.js';
import { limiterScript } from './redis-limiter-script.js';

// Thin typed access to the Lua script: one round trip per decision, nothing decided here.

const commandName = 'affinitySyncLimiter';
/** Unused state is dropped after this long; the monthly quota is relearned from the next header. */
const stateTtlMs = 40 * 24 * 3600 * 1000;

type ScriptReply = Array<number | string>;
type ScriptCommand = (stateKey: string, slotsKey: string, ...args: string[]) => Promise<ScriptReply>;

/** Redis keys of one API key's limiter: a hash of the key, never the key itself. */
export function limiterKeys(apiKey: string, keyPrefix: string): { state: string; slots: string } {
  const hash = createHash('sha256').update(apiKey).digest('hex');
  // The braces keep both keys in one cluster slot, as a multi-key script requires.
  return { state: `${keyPrefix}limiter:{${hash}}:state`, slots: `${keyPrefix}limiter:{${hash}}:slots` };
}

function arg(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

export class RedisPacingStore {
  readonly #command: ScriptCommand;
  readonly #keys: { state: string; slots: string };
  readonly #common: string[];

  constructor(
    redis: Redis,
    keys: { state: string; slots: string },
    settings: PacingSettings,
    slotTtlMs: number,
  ) {
    if (!(commandName in redis)) redis.defineCommand(commandName, { numberOfKeys: 2, lua: limiterScript });
    // defineCommand adds the method at runtime; ioredis cannot type it.
    this.#command = (redis as unknown as Record<string, ScriptCommand>)[commandName]!.bind(redis);
    this.#keys = keys;
    this.#common = [
      settings.limit,
      settings.windowMs,
      settings.safetyMargin,
      settings.burst,
      settings.quotaReserve,
      settings.maxInFlight,
      slotTtlMs,
      stateTtlMs,
    ].map(String);
  }

  #run(op: string, now: number | undefined, token: string, extra: string[] = []): Promise<ScriptReply> {
    return this.#command(this.#keys.state, this.#keys.slots, op, arg(now), token, ...this.#common, ...extra);
  }

  /** Asks for one slot; `now` is for tests only (production lets the script read Redis's TIME). */
  async acquire(token: string, now?: number): Promise<PacingDecision> {
    const reply = await this.#run('acquire', now, token);
    switch (Number(reply[0])) {
      case 0:
        return { kind: 'go' };
      case 1:
        return { kind: 'wait', waitMs: Number(reply[1]), reason: waitReasons[Number(reply[2])] ?? 'pace' };
      case 2:
        return {
          kind: 'quota',
          remaining: Number(reply[1]),
          resetsAt: Number(reply[2]),
          reserved: Number(reply[3]),
        };
      default:
        throw new Error(`Unexpected reply from the limiter script: ${JSON.stringify(reply)}`);
    }
  }

  async observe(token: string, result: AttemptResult, random: number, now?: number): Promise<void> {
    const headers = result.kind === 'response' ? result.headers : {};
    await this.#run('observe', now, token, [
      String(rateLimitVerdicts.indexOf(classifyAttempt(result))),
      arg(headers.userLimit),
      arg(headers.userRemaining),
      arg(headers.userReset),
      arg(headers.orgLimit),
      arg(headers.orgRemaining),
      arg(headers.orgReset),
      String(random),
    ]);
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
