/**
 * The check-before-retry state machine of one create (pure). A create is never resent blindly:
 * after a lost answer (timeout, network error, 5xx) the record is looked for; only when it is
 * absent is it created again, at most `maxAttempts` times in all. When the check itself fails the
 * create is not repeated — a duplicate is worse than a row left for the next run.
 */
export type CreateState =
  | { step: 'create'; attempt: number }
  | { step: 'check'; attempt: number; lost: string }
  | { step: 'done'; id: number; via: 'response' | 'check'; attempts: number }
  /** `unknown`: the record may exist (the check could not tell). */
  | { step: 'failed'; reason: string; unknown: boolean; attempts: number };

export type CreateEvent =
  /** The create answered with the new id. */
  | { kind: 'created'; id: number }
  /** A definite refusal (4xx): nothing was created. */
  | { kind: 'refused'; reason: string }
  /** No usable answer: it may or may not have happened. */
  | { kind: 'lost'; reason: string }
  | { kind: 'found'; id: number }
  | { kind: 'absent' }
  | { kind: 'check-failed'; reason: string };

/** Creates in all when each answer is lost and the check finds nothing: as many as the transport sends an idempotent request (1 + 5 retries). */
export const defaultMaxAttempts = 6;

export const firstCreateState: CreateState = { step: 'create', attempt: 1 };

export function nextCreateState(
  state: CreateState,
  event: CreateEvent,
  maxAttempts = defaultMaxAttempts,
): CreateState {
  switch (state.step) {
    case 'create':
      return afterCreate(state.attempt, event);
    case 'check':
      return afterCheck(state, event, maxAttempts);
    case 'done':
    case 'failed':
      throw new Error(`create already ${state.step}; no event ${event.kind} expected`);
    default: {
      const never: never = state;
      throw new Error(`unknown create state ${JSON.stringify(never)}`);
    }
  }
}

function afterCreate(attempt: number, event: CreateEvent): CreateState {
  switch (event.kind) {
    case 'created':
      return { step: 'done', id: event.id, via: 'response', attempts: attempt };
    case 'refused':
      return { step: 'failed', reason: event.reason, unknown: false, attempts: attempt };
    case 'lost':
      return { step: 'check', attempt, lost: event.reason };
    case 'found':
    case 'absent':
    case 'check-failed':
      throw new Error(`a create answers created, refused or lost, not ${event.kind}`);
    default: {
      const never: never = event;
      throw new Error(`unknown create event ${JSON.stringify(never)}`);
    }
  }
}

function afterCheck(
  state: { attempt: number; lost: string },
  event: CreateEvent,
  maxAttempts: number,
): CreateState {
  const { attempt, lost } = state;
  switch (event.kind) {
    case 'found':
      return { step: 'done', id: event.id, via: 'check', attempts: attempt };
    case 'absent':
      if (attempt < maxAttempts) return { step: 'create', attempt: attempt + 1 };
      return {
        step: 'failed',
        reason: `not created: ${attempt} attempts lost their answer and none took effect (last: ${lost}); the next run tries again`,
        unknown: false,
        attempts: attempt,
      };
    case 'check-failed':
      return {
        step: 'failed',
        reason: `the create lost its answer (${lost}) and checking whether it happened failed (${event.reason}); not created again, to avoid a duplicate — the next run finds it or tries again`,
        unknown: true,
        attempts: attempt,
      };
    case 'created':
    case 'refused':
    case 'lost':
      throw new Error(`a check answers found, absent or check-failed, not ${event.kind}`);
    default: {
      const never: never = event;
      throw new Error(`unknown create event ${JSON.stringify(never)}`);
    }
  }
}
