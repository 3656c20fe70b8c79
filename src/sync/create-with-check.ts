import { setTimeout as sleep } from 'node:timers/promises';
import { AffinityApiError } from '../affinity/affinity-api-error.js';
import {
  type CreateEvent,
  type CreateState,
  defaultMaxAttempts,
  firstCreateState,
  nextCreateState,
} from './create-attempt.js';
import { fatalReason } from './fatal-reason.js';

export type CreateOutcome =
  | { ok: true; id: number; via: 'response' | 'check'; attempts: number }
  | { ok: false; reason: string; unknown: boolean; attempts: number };

export interface CreateOps {
  /** Sends the create (never resent by the transport) and returns the new id. */
  create(): Promise<number>;
  /** The record's id when it exists now, null when it does not, `unsure` when the answer cannot tell. */
  check(): Promise<number | null | { unsure: string }>;
}

export interface CreateWithCheckOptions {
  /** @defaultValue 6 */
  maxAttempts?: number;
  /**
   * Pause before looking: a create whose answer was lost (a timeout above all) may still be taking
   * effect, and a look too early finds nothing and creates it twice. @defaultValue 2_000 ms
   */
  checkDelayMs?: number;
  signal?: AbortSignal | undefined;
}

/**
 * Runs one create through the check-before-retry machine (create-attempt.ts). Failures that stop
 * the run (refused key, quota, limiter down, abort) are thrown; every other outcome is returned.
 */
export async function createWithCheck(
  ops: CreateOps,
  options: CreateWithCheckOptions = {},
): Promise<CreateOutcome> {
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  let state: CreateState = firstCreateState;
  for (;;) {
    switch (state.step) {
      case 'create':
        state = nextCreateState(state, await createEvent(ops), maxAttempts);
        break;
      case 'check':
        await sleep(options.checkDelayMs ?? 2_000, undefined, { signal: options.signal });
        state = nextCreateState(state, await checkEvent(ops), maxAttempts);
        break;
      case 'done':
        return { ok: true, id: state.id, via: state.via, attempts: state.attempts };
      case 'failed':
        return { ok: false, reason: state.reason, unknown: state.unknown, attempts: state.attempts };
      default: {
        const never: never = state;
        throw new Error(`unknown create state ${JSON.stringify(never)}`);
      }
    }
  }
}

async function createEvent(ops: CreateOps): Promise<CreateEvent> {
  try {
    return { kind: 'created', id: await ops.create() };
  } catch (caught) {
    if (!(caught instanceof AffinityApiError) || fatalReason(caught) !== undefined) throw caught;
    // No response, a 5xx, or a 2xx whose body did not parse: the create may have happened.
    if (caught.status === 0 || caught.status >= 500 || (caught.status >= 200 && caught.status < 300))
      return { kind: 'lost', reason: caught.message };
    // 4xx, and 429s past the retries: refused before anything was created.
    return { kind: 'refused', reason: caught.message };
  }
}

async function checkEvent(ops: CreateOps): Promise<CreateEvent> {
  try {
    const found = await ops.check();
    if (found === null) return { kind: 'absent' };
    return typeof found === 'number'
      ? { kind: 'found', id: found }
      : { kind: 'check-failed', reason: found.unsure };
  } catch (caught) {
    if (!(caught instanceof AffinityApiError) || fatalReason(caught) !== undefined) throw caught;
    return { kind: 'check-failed', reason: caught.message };
  }
}
