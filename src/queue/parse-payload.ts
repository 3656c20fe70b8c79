import { UnrecoverableError } from 'bullmq';
import { prettifyError, type z } from 'zod';

/**
 * Parses a job's payload; a malformed one fails the job at once (UnrecoverableError: retrying the
 * same bytes cannot help), naming the job and what is wrong.
 */
export function parsePayload<T extends z.ZodType>(schema: T, data: unknown, jobName: string): z.output<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new UnrecoverableError(
    `${jobName}: malformed payload: ${prettifyError(result.error).replaceAll('\n', ' ')}`,
  );
}
