import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

// dbt Cloud signs each webhook: the Authorization header is the hex HMAC-SHA256 of the raw body,
// keyed with the webhook's secret (docs.getdbt.com → Deploy → Webhooks → Validate a webhook).

/** Whether `header` is dbt Cloud's signature of `body` with `secret` (constant-time). */
export function dbtCloudSignatureMatches(body: string, header: string | undefined, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(body).digest('hex');
  const given = (header ?? '').trim().toLowerCase();
  const digest = (text: string) => createHmac('sha256', 'compare').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length > 0;
}

const eventSchema = z.object({
  eventType: z.string(),
  data: z.object({
    jobId: z.union([z.string(), z.number()]).optional(),
    jobName: z.string().optional(),
    runId: z.union([z.string(), z.number()]).optional(),
    runStatus: z.string().optional(),
  }),
});

/** What a dbt Cloud event asks of the worker (pure). */
export type DbtCloudDecision =
  | { action: 'run'; dbtRun: string }
  | { action: 'ignore'; reason: string }
  | { action: 'reject'; reason: string };

/**
 * A finished, successful dbt Cloud job run (`job.run.completed` with `runStatus: Success`) asks for
 * the runs; any other event (started, errored, a failed completion) is acknowledged and ignored, so
 * dbt Cloud does not retry it; a body that is not a dbt Cloud event is rejected.
 */
export function decideDbtCloudEvent(body: unknown): DbtCloudDecision {
  const parsed = eventSchema.safeParse(body);
  if (!parsed.success) return { action: 'reject', reason: 'the body is not a dbt Cloud webhook event' };
  const { eventType, data } = parsed.data;
  const dbtRun = `dbt Cloud job ${data.jobName ?? data.jobId ?? '?'} run ${data.runId ?? '?'}`;
  if (eventType !== 'job.run.completed')
    return { action: 'ignore', reason: `${eventType} is not a completed run` };
  if (data.runStatus !== 'Success') {
    return {
      action: 'ignore',
      reason: `${dbtRun} ended ${data.runStatus ?? 'without a status'}, not Success`,
    };
  }
  return { action: 'run', dbtRun };
}
