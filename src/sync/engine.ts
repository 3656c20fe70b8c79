import { randomUUID } from 'node:crypto';
import { AffinityApiError } from '../affinity/affinity-api-error.js';
import type { AffinityClient } from '../affinity/client.js';
import type { FieldUpdate } from '../affinity/field-value.js';
import type { Limiter } from '../affinity/limiter.js';
import type { Logger } from '../log/logger.js';
import { scrub } from '../log/secrets.js';
import { ConfigError, type ConfigProblem } from '../mappings/config-error.js';
import type { Mapping } from '../mappings/mapping-schema.js';
import { type ResolvedField, resolveFields } from '../mappings/resolve-fields.js';
import { missingColumns } from '../sources/missing-columns.js';
import type { Source } from '../sources/source.js';
import type { SourceConfig } from '../sources/source-config.js';
import type { FieldTarget } from './convert-value.js';
import { diffUpdates } from './diff-updates.js';
import { displayValue } from './display-value.js';
import { EntryIndex, type IndexedEntry } from './entry-index.js';
import { fatalReason } from './fatal-reason.js';
import { type MappedField, type PlannedUpdate, planRow } from './plan-row.js';
import { type Change, ProblemLog, type RunReport, type RunStatus } from './report.js';
import { updateBatches } from './update-batches.js';
import { writeEntries } from './write-entries.js';

export interface SyncDependencies {
  client: AffinityClient;
  limiter: Limiter;
  openSource: (config: SourceConfig) => Source;
  logger: Logger;
}

export interface SyncOptions {
  mapping: Mapping;
  /** Mapping file, for configuration error messages. */
  file?: string;
  /** Line and column of a mapping path in `file`, so configuration errors point at it. */
  locate?: (path: string) => { line: number; column: number };
  /** Do everything but the writes. @defaultValue false */
  dryRun?: boolean;
  /** Overrides the mapping's mode for this run. */
  mode?: 'diff' | 'overwrite';
  /** PATCH requests in flight. @defaultValue 8 */
  concurrency?: number;
  runId?: string;
  /** Called whenever counts move (at most a few times a second is up to the caller). */
  onProgress?: (progress: SyncProgress) => void;
  /** Aborting stops new requests; requests in flight finish; the report says "interrupted". */
  signal?: AbortSignal;
}

export interface SyncProgress {
  phase: 'resolving' | 'scanning' | 'reading' | 'writing' | 'done';
  rowsRead: number;
  entriesScanned: number;
  entriesToWrite: number;
  entriesWritten: number;
  calls: number;
  startedAt: number;
}

/**
 * One entry's pending updates, already diffed against the scanned values (which do not change
 * while rows are read): keeping only the changes bounds memory. The last row reaching it wins.
 */
interface Pending {
  entry: IndexedEntry;
  row: number;
  key: string;
  changed: PlannedUpdate[];
  unchanged: number;
}

/** Thrown for failures that end the run (bad key, quota reached, source failure, limiter down). */
class FatalRunError extends Error {}

/**
 * One sync run: resolve fields, scan the list once, stream and match rows, convert, diff, then
 * write the changes (≤100 updates per PATCH). Configuration problems throw ConfigError before any
 * request that writes; every other failure ends in a report with status "failed".
 */
export async function runSync(deps: SyncDependencies, options: SyncOptions): Promise<RunReport> {
  const { client, logger } = deps;
  const { mapping } = options;
  const mode = options.mode ?? mapping.mode;
  const dryRun = options.dryRun ?? false;
  const startedAt = Date.now();
  const runId = options.runId ?? randomUUID();
  const log = logger.child({ mapping: mapping.name, runId });
  const problems = new ProblemLog();
  const rows = { read: 0, matched: 0, unmatched: 0, ambiguous: 0, duplicate: 0, rejected: 0 };
  const entries = { updated: 0, unchanged: 0, failed: 0 };
  const fields = { written: 0, unchanged: 0, rejected: 0 };
  const changes: Change[] = [];
  const progress: SyncProgress = {
    phase: 'resolving',
    rowsRead: 0,
    entriesScanned: 0,
    entriesToWrite: 0,
    entriesWritten: 0,
    calls: 0,
    startedAt,
  };
  const tell = (): void => {
    progress.calls = client.calls.total;
    options.onProgress?.(progress);
  };

  let status: RunStatus = 'succeeded';
  let error: string | undefined;
  let source: Source | undefined;
  try {
    // 1. Fields and dropdown options.
    const listFields = await fetchListFields(client, options);
    const resolved = resolveFields(mapping, listFields);
    if (resolved.problems.length > 0) {
      throw new ConfigError(resolved.problems.map((p) => configProblem(options, p)));
    }
    for (const skip of resolved.skipped) problems.add({ column: skip.column, reason: skip.message });
    const mapped: MappedField[] = [];
    for (const field of resolved.fields) {
      const target: FieldTarget = {
        fieldId: field.fieldId,
        fieldName: field.fieldName,
        valueType: field.valueType,
      };
      if (needsOptions(field))
        target.dropdownOptions = await client.getDropdownOptions(mapping.list, field.fieldId);
      mapped.push({ field, target });
    }
    const optionsOf = new Map(mapped.map((m) => [m.field.column, m.target.dropdownOptions]));

    // 2. The source's columns, before reading the list: a missing column fails without writing.
    source = deps.openSource(mapping.source);
    const columns = await source.describe();
    const required = [...mapping.match.map((m) => m.column), ...resolved.fields.map((f) => f.column)];
    const missing = missingColumns(columns, required);
    if (missing.length > 0) {
      throw new FatalRunError(
        `mapping "${mapping.name}": the query returns no column ${missing.map((c) => `"${c}"`).join(', ')} ` +
          `(columns: ${columns.map((c) => c.name).join(', ')}); add it to the query or remove it from the mapping`,
      );
    }

    // 3. Scan the list once into the index.
    progress.phase = 'scanning';
    const index = new EntryIndex();
    const fieldIds = [...new Set(resolved.fields.map((f) => f.fieldId))];
    for await (const page of client.listEntryPages(mapping.list, { fieldIds, limit: 100 })) {
      for (const entry of page) index.add(entry);
      progress.entriesScanned = index.size;
      tell();
      if (options.signal?.aborted) throw new FatalRunError('interrupted before writing');
    }
    log.info({ entries: index.size, fields: fieldIds.length }, 'list scanned');

    // 4. Stream rows: match, convert; the later row reaching an entry wins.
    progress.phase = 'reading';
    const pending = new Map<number, Pending>();
    for await (const row of source.rows()) {
      rows.read += 1;
      progress.rowsRead = rows.read;
      if ((rows.read & 1023) === 0) {
        tell();
        if (options.signal?.aborted) throw new FatalRunError('interrupted before writing');
      }
      const plan = planRow(row, rows.read, mapping.match, index, mapped);
      switch (plan.kind) {
        case 'unmatched':
        case 'ambiguous':
          rows[plan.kind] += 1;
          problems.add(plan.problem);
          break;
        case 'matched': {
          rows.matched += 1;
          if (plan.rejections.length > 0) rows.rejected += 1;
          fields.rejected += plan.rejections.length;
          for (const problem of plan.rejections) problems.add(problem);
          let duplicate = false;
          for (const entry of plan.entries) {
            if (pending.has(entry.listEntryId)) duplicate = true;
            const { changed, unchanged } = diffUpdates(entry, plan.updates, mode);
            pending.set(entry.listEntryId, { entry, row: rows.read, key: plan.key, changed, unchanged });
          }
          if (duplicate) rows.duplicate += 1;
          break;
        }
        default: {
          const never: never = plan;
          throw new Error(`unexpected plan ${JSON.stringify(never)}`);
        }
      }
    }
    await source.close();
    source = undefined;

    // 5. The entries with changes (diffed as rows arrived).
    const toWrite: Array<{ pending: Pending; updates: FieldUpdate[] }> = [];
    for (const item of pending.values()) {
      const { changed, unchanged } = item;
      fields.unchanged += unchanged;
      if (changed.length === 0) {
        entries.unchanged += 1;
        continue;
      }
      toWrite.push({ pending: item, updates: changed.map((c) => c.update) });
      if (!dryRun) continue;
      for (const { update, field } of changed) {
        const options = optionsOf.get(field.column);
        changes.push({
          entryId: item.entry.listEntryId,
          entityId: item.entry.entityId,
          ...(item.entry.entityName === undefined ? {} : { entityName: item.entry.entityName }),
          fieldId: update.id,
          fieldName: field.fieldName,
          before: displayValue(item.entry.values.get(update.id)?.data, field.valueType, 'read', options),
          after: displayValue(update.value.data, field.valueType, 'update', options),
        });
      }
    }
    progress.entriesToWrite = toWrite.length;
    log.info({ rows, entriesToWrite: toWrite.length }, 'rows read and compared');

    // 6. Write.
    progress.phase = 'writing';
    tell();
    if (dryRun) {
      // A dry run reports what it would write.
      entries.updated = toWrite.length;
      fields.written = changes.length;
    } else {
      const outcome = await writeEntries({
        client,
        listId: mapping.list,
        concurrency: options.concurrency ?? 8,
        ...(options.signal ? { signal: options.signal } : {}),
        jobs: toWrite.map((w) => ({
          entryId: w.pending.entry.listEntryId,
          batches: updateBatches(w.updates),
        })),
        onEntryDone: () => {
          progress.entriesWritten += 1;
          tell();
        },
      });
      const origins = new Map(toWrite.map((w) => [w.pending.entry.listEntryId, w.pending]));
      for (const result of outcome.results) {
        if (result.ok) {
          entries.updated += 1;
          fields.written += result.fieldsWritten;
        } else {
          entries.failed += 1;
          fields.written += result.fieldsWritten;
          const origin = origins.get(result.entryId);
          problems.add({
            ...(origin ? { row: origin.row, key: origin.key } : {}),
            entryId: result.entryId,
            reason: result.reason,
          });
        }
      }
      if (outcome.fatal) throw new FatalRunError(outcome.fatal);
    }
    if (entries.failed > 0 || rows.ambiguous > 0 || rows.rejected > 0) status = 'partial';
  } catch (caught) {
    if (caught instanceof ConfigError) throw caught;
    status = 'failed';
    error = describeFailure(caught, mapping.name);
    log.error({ err: error }, 'run failed');
  } finally {
    if (source) await source.close().catch(() => undefined);
  }

  progress.phase = 'done';
  tell();
  const finishedAt = Date.now();
  const report: RunReport = {
    mapping: mapping.name,
    runId,
    mode,
    dryRun,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - startedAt,
    status,
    ...(error === undefined ? {} : { error }),
    rows,
    entries,
    fields,
    calls: { ...client.calls },
    limiterWaitMs: Math.round(deps.limiter.waitedMs),
    problems: problems.items,
    problemsOmitted: problems.omitted,
    ...(dryRun ? { changes } : {}),
  };
  return report;
}

function needsOptions(field: ResolvedField): boolean {
  return (
    field.valueType === 'dropdown' ||
    field.valueType === 'ranked-dropdown' ||
    field.valueType === 'dropdown-multi'
  );
}

async function fetchListFields(client: AffinityClient, options: SyncOptions) {
  const { mapping } = options;
  try {
    return await client.getListFields(mapping.list);
  } catch (caught) {
    if (caught instanceof AffinityApiError && caught.status === 404) {
      throw new ConfigError([
        configProblem(options, {
          path: 'list',
          message: `list ${mapping.list} does not exist in Affinity (or this API key cannot see it); check the list id in the list's URL`,
        }),
      ]);
    }
    throw caught;
  }
}

/** A problem found when asking Affinity, placed at its file:line:column when the file is known. */
function configProblem(options: SyncOptions, problem: { path: string; message: string }): ConfigProblem {
  return { file: options.file ?? options.mapping.name, ...options.locate?.(problem.path), ...problem };
}

function describeFailure(caught: unknown, mappingName: string): string {
  const fatal = fatalReason(caught);
  if (fatal !== undefined) return fatal;
  if (caught instanceof AffinityApiError) return caught.message;
  const message = caught instanceof Error ? caught.message : String(caught);
  return scrub(message.includes(mappingName) ? message : `mapping "${mappingName}": ${message}`);
}
