import { z } from 'zod';
import { expected } from './describe-input.js';

// The mapping's `tolerate:` and `expect:` blocks: how much a run may get wrong and still count as
// succeeded, and what it must find before it writes anything. Embedded by mapping-schema.ts.

/** A tolerated amount: at most `count` of them, or at most `percent` % of the base. */
export type ToleranceLimit = { count: number } | { percent: number };

const limitMessage = 'a whole number like 5 or a percentage like "2%" (0% to 100%)';
const percentText = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;
const limitError = expected(limitMessage);

/** "p%" with p from 0 to 100. */
function isPercent(text: string): boolean {
  const match = percentText.exec(text);
  return match !== null && Number(match[1]) <= 100;
}

const limitSchema = z
  .union(
    [
      z.number().int({ error: limitError }).min(0, { error: limitError }),
      z.string().refine(isPercent, { error: limitError }),
    ],
    { error: limitError },
  )
  .transform(
    (value): ToleranceLimit =>
      typeof value === 'number' ? { count: value } : { percent: Number(percentText.exec(value)?.[1]) },
  )
  .meta({
    anyOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*%\\s*$' },
    ],
  });

export const tolerateSchema = z
  .strictObject(
    {
      /** Values that cannot convert (rejected-value): a count, or "p%" of the values planned (converted or rejected). @defaultValue 0 */
      rejectedValues: limitSchema.optional().meta({
        description:
          'Rejected values a run may have and still succeed (with warnings): a count, or "p%" of the values of matched rows. Default 0.',
      }),
      /** Entries whose write failed (entry-failed, entry-failed-transient): a count, or "p%" of the entries to write. @defaultValue 0 */
      failedEntries: limitSchema.optional().meta({
        description:
          'Entries whose write failed that a run may have and still succeed (with warnings): a count, or "p%" of the entries to write. Default 0.',
      }),
    },
    { error: expected('a mapping with rejectedValues and/or failedEntries') },
  )
  .meta({
    description:
      'How many rejected values and failed entries a run may have and still end succeeded (with warnings); beyond, it is partial.',
  });

export const expectSchema = z
  .strictObject(
    {
      /** Fewest rows the query must return; fewer fails the run before any write. */
      minRows: z
        .number({ error: expected('a whole number of rows like 1') })
        .int({ error: expected('a whole number of rows like 1') })
        .min(0, { error: expected('a whole number of rows like 1') })
        .optional()
        .meta({ description: 'Fewest rows the query must return; fewer fails the run before any write.' }),
      /** Smallest share (0..1) of the rows read that must match a list entry; less fails the run before any write. */
      minMatchedShare: z
        .number({ error: expected('a share from 0 to 1 like 0.9') })
        .min(0, { error: expected('a share from 0 to 1 like 0.9') })
        .max(1, { error: expected('a share from 0 to 1 like 0.9') })
        .optional()
        .meta({
          description:
            'Smallest share (0 to 1) of the rows read that must match a list entry; less fails the run before any write.',
        }),
    },
    { error: expected('a mapping with minRows and/or minMatchedShare') },
  )
  .meta({ description: 'What a run must find before it writes: else it fails, writing nothing.' });

export type Tolerance = z.infer<typeof tolerateSchema>;
export type Expectations = z.infer<typeof expectSchema>;
