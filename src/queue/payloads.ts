import { z } from 'zod';

/** Who asked for a run (`retry`: the worker's follow-up for entries that failed transiently). */
export const triggerSchema = z.enum(['schedule', 'backfill', 'http', 'retry']);
export type Trigger = z.infer<typeof triggerSchema>;

/** Payload of a `sync-mapping` job. */
export const syncMappingPayloadSchema = z.strictObject({
  mapping: z.string().min(1),
  /** Overrides the mapping's mode for this run. */
  mode: z.enum(['diff', 'overwrite']).optional(),
  trigger: triggerSchema,
});
export type SyncMappingPayload = z.infer<typeof syncMappingPayloadSchema>;

/** Payload of a `scheduled-sync` job (the template registered with each job scheduler). */
export const scheduledSyncPayloadSchema = z.strictObject({ mapping: z.string().min(1) });
export type ScheduledSyncPayload = z.infer<typeof scheduledSyncPayloadSchema>;
