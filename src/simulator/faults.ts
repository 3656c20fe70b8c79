import { z } from 'zod';
import { type CreateFault, createFaultOptionsSchema, decideCreateFault } from './create-faults.js';
import { createRandom, type Random } from './random.js';

/** Faults injected into API routes (never control routes); decisions come from a seeded PRNG. */
export const faultOptionsSchema = z.strictObject({
  /** Fixed delay before answering, in ms. @defaultValue 0 */
  latencyMs: z.number().min(0).optional(),
  /** Extra uniform delay in [0, jitterMs), in ms. @defaultValue 0 */
  jitterMs: z.number().min(0).optional(),
  /** Fraction of requests answered 500 or 503 (half each, on average). @defaultValue 0 */
  errorRate: z.number().min(0).max(1).optional(),
  /** Fraction of requests whose connection is destroyed without a response. @defaultValue 0 */
  dropRate: z.number().min(0).max(1).optional(),
  /** A burst of 429s regardless of limits: the next `count` requests, or all within `durationMs`. */
  storm: z
    .strictObject({ count: z.number().int().min(0).optional(), durationMs: z.number().min(0).optional() })
    .optional(),
  /** A time-boxed burst of errors: for `durationMs` from when the faults are set, `errorRate` of requests get `status`. */
  burst: z
    .strictObject({
      errorRate: z.number().min(0).max(1),
      durationMs: z.number().min(0),
      /** @defaultValue 503 */
      status: z.union([z.literal(500), z.literal(503)]).optional(),
      /** Only requests of these methods (e.g. ["PATCH"]: the writes). @defaultValue every method */
      methods: z.array(z.string()).optional(),
    })
    .optional(),
  /** Faults on create calls only, before or after the create takes effect (see create-faults.ts). */
  creates: createFaultOptionsSchema.optional(),
});
export type FaultOptions = z.infer<typeof faultOptionsSchema>;

export type FaultOutcome = 'ok' | 'drop' | 500 | 503;

export interface FaultDecision {
  delayMs: number;
  outcome: FaultOutcome;
}

export class FaultInjector {
  private random: Random;
  private options: FaultOptions = {};
  private stormLeft = 0;
  private stormUntil = 0;
  private burstUntil = 0;
  private createsRandom: Random;

  constructor(private readonly seed: number) {
    this.random = createRandom(seed);
    this.createsRandom = createRandom(seed + 1);
  }

  /** Replaces the faults and restarts the seeded stream, so the same settings repeat the same outcomes. */
  set(options: FaultOptions, now: number): void {
    this.options = options;
    this.random = createRandom(this.seed);
    this.createsRandom = createRandom(this.seed + 1);
    this.stormLeft = options.storm?.count ?? 0;
    this.stormUntil = options.storm?.durationMs !== undefined ? now + options.storm.durationMs : 0;
    this.burstUntil = options.burst ? now + options.burst.durationMs : 0;
  }

  current(): FaultOptions {
    return this.options;
  }

  /** True when this request falls in a 429 storm. */
  storming(now: number): boolean {
    if (now < this.stormUntil) return true;
    if (this.stormLeft > 0) {
      this.stormLeft -= 1;
      return true;
    }
    return false;
  }

  /**
   * The fault for one admitted request; always draws four numbers (five with a burst set) so the
   * stream stays aligned.
   */
  decide(now = Date.now(), method = 'GET'): FaultDecision {
    const jitter = this.random();
    const drop = this.random();
    const error = this.random();
    const which = this.random();
    const o = this.options;
    const burst = o.burst === undefined ? 1 : this.random();
    const delayMs = (o.latencyMs ?? 0) + jitter * (o.jitterMs ?? 0);
    if (drop < (o.dropRate ?? 0)) return { delayMs, outcome: 'drop' };
    if (error < (o.errorRate ?? 0)) return { delayMs, outcome: which < 0.5 ? 500 : 503 };
    const rule = now < this.burstUntil ? o.burst : undefined;
    if (rule && (rule.methods?.includes(method) ?? true) && burst < rule.errorRate) {
      return { delayMs, outcome: rule.status ?? 503 };
    }
    return { delayMs, outcome: 'ok' };
  }

  /** The extra fault of one create call, from its own stream (the other faults repeat as before). */
  decideCreate(): CreateFault {
    return decideCreateFault(this.createsRandom, this.options.creates);
  }
}
