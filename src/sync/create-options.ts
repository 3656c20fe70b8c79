import type { AffinityClient } from '../affinity/client.js';
import { optionKey } from './convert-value.js';
import type { CreateBudget } from './create-budget.js';
import { type CreateWithCheckOptions, createWithCheck } from './create-with-check.js';
import type { Creation } from './creation.js';
import { fatalReason } from './fatal-reason.js';
import type { OptionCreations } from './option-creations.js';

export interface CreateOptionsResult {
  creations: Creation[];
  /** Texts not made: over maxCreates, or the create failed (their values are rejected). */
  overLimit: number;
  failed: number;
  fatal?: string;
}

/**
 * Makes each option text the rows named and the field lacks, once, within maxCreates (v2 POST
 * …/dropdown-options, standard options only); a lost answer is checked by reading the options
 * again. Every text is settled in `creations`, so `realize` can swap ids or reject the values.
 */
export async function createOptions(input: {
  client: AffinityClient;
  listId: number;
  options: OptionCreations;
  fieldNames: ReadonlyMap<string, string>;
  budget: CreateBudget;
  dryRun: boolean;
  check?: CreateWithCheckOptions;
}): Promise<CreateOptionsResult> {
  const { client, listId, options, budget } = input;
  const result: CreateOptionsResult = { creations: [], overLimit: 0, failed: 0 };
  for (const { fieldId, text, provisionalId } of options.wanted()) {
    const record: Creation = {
      kind: 'dropdown-option',
      fieldId,
      fieldName: input.fieldNames.get(fieldId) ?? fieldId,
      text,
    };
    if (result.fatal !== undefined) {
      options.settle(provisionalId, { reason: 'the run stopped before it was created' });
      continue;
    }
    if (budget.take(`option:${fieldId}:${optionKey(text)}`) === 'exhausted') {
      result.overLimit += 1;
      options.settle(provisionalId, { reason: `maxCreates (${budget.max}) was reached in this run` });
      continue;
    }
    if (input.dryRun) {
      // Kept provisional: a dry run shows the text, and sends nothing.
      options.settle(provisionalId, { id: provisionalId });
      result.creations.push(record);
      continue;
    }
    try {
      const outcome = await createWithCheck(
        {
          create: async () =>
            (await client.createDropdownOption(listId, fieldId, { type: 'dropdown', text })).id,
          check: async () => {
            const same = (await client.getDropdownOptions(listId, fieldId)).filter(
              (o) => optionKey(o.text) === optionKey(text),
            );
            if (same.length <= 1) return same[0]?.id ?? null;
            return {
              unsure: `${same.length} options of ${fieldId} read "${text}" (${same.map((o) => o.id).join(', ')})`,
            };
          },
        },
        input.check,
      );
      if (outcome.ok) {
        options.settle(provisionalId, { id: outcome.id });
        result.creations.push({ ...record, id: outcome.id, via: outcome.via });
      } else {
        result.failed += 1;
        options.settle(provisionalId, { reason: outcome.reason });
      }
    } catch (caught) {
      result.fatal = fatalReason(caught) ?? (caught instanceof Error ? caught.message : String(caught));
      options.settle(provisionalId, { reason: 'the run stopped before it was created' });
    }
  }
  return result;
}
