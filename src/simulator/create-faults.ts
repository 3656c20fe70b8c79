import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Random } from './random.js';
import { errorResult, type RouteResult } from './router.js';

/**
 * Faults on create routes only (POST list entry, organization, dropdown option), drawn from their
 * own seeded stream so the other faults repeat as before. `afterCommit` is the nasty case a client
 * must survive: the create took effect and then its response was lost.
 */
export const createFaultOptionsSchema = z.strictObject({
  /** Fraction of create calls answered 500 or 503. @defaultValue 0 */
  errorRate: z.number().min(0).max(1).optional(),
  /** Fraction of create calls whose connection is destroyed without a response. @defaultValue 0 */
  dropRate: z.number().min(0).max(1).optional(),
  /** Fraction of create calls never answered: held until the client gives up (or `holdMs`). @defaultValue 0 */
  timeoutRate: z.number().min(0).max(1).optional(),
  /** Longest hold of a timed-out create, in ms, before the connection is destroyed. @defaultValue 60_000 */
  holdMs: z.number().min(0).optional(),
  /** Fraction of those faults that strike after the create took effect. @defaultValue 0.5 */
  afterCommit: z.number().min(0).max(1).optional(),
});
export type CreateFaultOptions = z.infer<typeof createFaultOptionsSchema>;

export type CreateFaultKind = 500 | 503 | 'drop' | 'timeout';

export type CreateFault =
  | { when: 'none' }
  | { when: 'before-commit' | 'after-commit'; kind: CreateFaultKind; holdMs: number };

/** The fault for one create call; always draws three numbers so the stream stays aligned. */
export function decideCreateFault(random: Random, options: CreateFaultOptions | undefined): CreateFault {
  const kindDraw = random();
  const which = random();
  const commitDraw = random();
  if (options === undefined) return { when: 'none' };
  const drop = options.dropRate ?? 0;
  const error = options.errorRate ?? 0;
  const timeout = options.timeoutRate ?? 0;
  let kind: CreateFaultKind;
  if (kindDraw < drop) kind = 'drop';
  else if (kindDraw < drop + error) kind = which < 0.5 ? 500 : 503;
  else if (kindDraw < drop + error + timeout) kind = 'timeout';
  else return { when: 'none' };
  const when = commitDraw < (options.afterCommit ?? 0.5) ? 'after-commit' : 'before-commit';
  return { when, kind, holdMs: options.holdMs ?? 60_000 };
}

/**
 * Delivers a create fault: the error to send (500/503), or null when the connection was
 * destroyed — at once (drop) or once the client gave up or `holdMs` passed (timeout).
 */
export async function deliverCreateFault(
  fault: { kind: CreateFaultKind; holdMs: number },
  req: IncomingMessage,
): Promise<RouteResult | null> {
  const { kind } = fault;
  switch (kind) {
    case 500:
    case 503:
      return errorResult(kind, {
        code: 'server',
        message: `${kind === 503 ? 'Service temporarily unavailable' : 'Internal server error'} (simulated)`,
      });
    case 'drop':
      req.socket.destroy();
      return null;
    case 'timeout':
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, fault.holdMs);
        req.socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      req.socket.destroy();
      return null;
    default: {
      const never: never = kind;
      throw new Error(`unknown create fault ${String(never)}`);
    }
  }
}
