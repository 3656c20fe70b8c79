import { createMissing, plannedCreations } from '../create-missing.js';
import { createOptions } from '../create-options.js';
import { type CreateRun, recordCreations } from '../create-run.js';
import { diffUpdates } from '../diff-updates.js';
import type { EntryIndex, IndexedEntry } from '../entry-index.js';
import { type CreationGroup, keysToResolve, planCreations } from '../plan-creations.js';
import { convertRow, type MappedField } from '../plan-row.js';
import { failureText } from '../run-failure.js';
import type { SyncDependencies } from '../sync-options.js';
import { type PhaseOutcome, stop, succeed } from './phase-outcome.js';
import { duplicateProblem, type EntryChanges } from './plan-rows.js';
import type { RunContext } from './run-context.js';

/**
 * Phase 4b, between planning rows and writing, for a mapping that opts in: decides the rows held
 * back as unmatched (add the entity, create the company, or report why not, within maxCreates),
 * creates what they need, plans their values against the new entries, makes each new option text
 * once and puts the real option ids into every write. A dry run creates nothing and lists it all.
 */
export async function createRecords(
  run: RunContext,
  deps: SyncDependencies,
  creates: CreateRun,
  index: EntryIndex,
  fields: MappedField[],
  writes: EntryChanges[],
): Promise<PhaseOutcome<EntryChanges[]>> {
  run.progress.phase = 'creating';
  run.tell();
  const rules = run.mapping.match;
  const keys = keysToResolve(creates.held, rules);
  const resolve = async (kind: 'company' | 'person', wanted: string[]) =>
    wanted.length > 0 && deps.lookup ? deps.lookup.resolve(kind, wanted) : new Map();
  const resolved = {
    company: await resolve('company', keys.company),
    person: await resolve('person', keys.person),
  };
  const plan = planCreations(creates.held, {
    settings: creates.settings,
    rules,
    resolved,
    onList: (id) => index.byEntityId(id).length > 0,
    budget: creates.budget,
  });
  for (const { problem, ambiguous } of plan.refused) {
    run.tally.rows[ambiguous ? 'ambiguous' : 'unmatched'] += 1;
    if (problem.code === 'create-failed') creates.summary.failed += 1;
    run.problems.add(problem);
  }
  for (const group of plan.left) {
    notCreated(run, creates, group, 'create-limit', limitReason(creates));
    // A dry run lists every creation wanted, those past the limit marked.
    if (run.dryRun) {
      const over = plannedCreations(creates.list.id, group).map((c) => ({ ...c, overLimit: true as const }));
      recordCreations(creates, over);
    }
  }
  const made = await createMissing({
    client: deps.client,
    lookup: deps.lookup,
    list: creates.list,
    groups: plan.groups,
    entriesOf: (id) => index.byEntityId(id),
    dryRun: run.dryRun,
    check: creates.checks,
    ...(run.options.signal ? { signal: run.options.signal } : {}),
  });
  recordCreations(creates, made.creations);
  for (const { group, reason } of made.failed) notCreated(run, creates, group, 'create-failed', reason);
  const placed = made.placed.map(({ group, entries }) => ({ group, entries }));
  const toCreate = plan.groups.filter((g) => g.kind !== 'on-list');
  if (run.dryRun) placed.push(...toCreate.map((group) => ({ group, entries: [] })));
  const all = mergeWrites(
    run,
    writes,
    placed.flatMap(({ group, entries }) => planGroup(run, group, entries, fields)),
  );
  if (made.fatal === undefined) return finishOptions(run, deps, creates, fields, all);
  // Groups the stop left untried are still unmatched rows.
  const tried = new Set([...made.placed, ...made.failed].map((p) => p.group));
  for (const group of toCreate) if (!tried.has(group)) run.tally.rows.unmatched += group.rows.length;
  return stop(failureText(made.fatal, run.mapping.name));
}

/** Every row of a group nothing was created for: unmatched, with the one reason. */
function notCreated(
  run: RunContext,
  creates: CreateRun,
  group: CreationGroup,
  code: 'create-limit' | 'create-failed',
  reason: string,
): void {
  creates.summary[code === 'create-limit' ? 'overLimit' : 'failed'] += 1;
  for (const held of group.rows) {
    run.tally.rows.unmatched += 1;
    run.problems.add({ code, row: held.rowNumber, key: group.key, reason });
  }
}

function limitReason(creates: CreateRun): string {
  const max = creates.settings.maxCreates;
  return `not added: maxCreates (${max}) was reached in this run; the next run adds more — if these rows should not be on the list, check the query's join`;
}

/**
 * A placed group's rows, counted matched; the last one's values planned against each entry (a new
 * entry holds nothing yet). A dry run's groups to create have no entry: converted (so new option
 * texts are known) but not written.
 */
function planGroup(
  run: RunContext,
  group: CreationGroup,
  entries: IndexedEntry[],
  fields: MappedField[],
): EntryChanges[] {
  const { rows } = run.tally;
  rows.matched += group.rows.length;
  const last = group.rows.at(-1)!;
  const { updates, rejections } = convertRow(last.row, last.rowNumber, group.key, fields);
  if (rejections.length > 0) rows.rejected += 1;
  run.tally.fields.rejected += rejections.length;
  for (const problem of rejections) run.problems.add(problem);
  group.rows.slice(1).forEach((held, i) => {
    rows.duplicate += 1;
    const earlier = group.rows[i]!.rowNumber;
    run.problems.add({
      code: 'duplicate-row',
      row: held.rowNumber,
      key: group.key,
      reason: `also names the entity of row ${earlier} (${group.key}), which has no list entry yet: this later row's values are the ones written, not row ${earlier}'s`,
    });
  });
  return entries.map((entry) => ({
    entry,
    row: last.rowNumber,
    key: group.key,
    ...diffUpdates(entry, updates, run.mode),
  }));
}

/** The writes planned while reading plus the placed rows'; where both reach an entry, the later row wins. */
function mergeWrites(run: RunContext, writes: EntryChanges[], placed: EntryChanges[]): EntryChanges[] {
  const byEntry = new Map(writes.map((w) => [w.entry.listEntryId, w]));
  for (const item of placed) {
    const other = byEntry.get(item.entry.listEntryId);
    if (other !== undefined) {
      const [earlier, later] = other.row < item.row ? [other, item] : [item, other];
      run.problems.add(duplicateProblem(earlier, later));
      run.tally.rows.duplicate += 1;
      if (later.changed.length > 0) byEntry.set(item.entry.listEntryId, later);
      else byEntry.delete(item.entry.listEntryId);
      continue;
    }
    run.tally.fields.unchanged += item.unchanged;
    if (item.changed.length === 0) run.tally.entries.unchanged += 1;
    else byEntry.set(item.entry.listEntryId, item);
  }
  return [...byEntry.values()];
}

/** Makes the new option texts, then swaps the provisional ids in every write for the real ones. */
async function finishOptions(
  run: RunContext,
  deps: SyncDependencies,
  creates: CreateRun,
  fields: MappedField[],
  writes: EntryChanges[],
): Promise<PhaseOutcome<EntryChanges[]>> {
  if (creates.options.size === 0) return succeed(writes);
  const made = await createOptions({
    client: deps.client,
    listId: creates.list.id,
    options: creates.options,
    fieldNames: new Map(fields.map((m) => [m.field.fieldId, m.field.fieldName])),
    budget: creates.budget,
    dryRun: run.dryRun,
    check: creates.checks,
  });
  recordCreations(creates, made.creations);
  creates.summary.overLimit += made.overLimit;
  creates.summary.failed += made.failed;
  // Dry-run changes show the new texts; real ones the options as made.
  for (const m of fields) {
    const mine = made.creations.filter((c) => c.fieldId === m.field.fieldId);
    if (mine.length === 0) continue;
    const shown = mine.map((c) => ({
      id: c.id ?? provisionalOf(creates, c.fieldId!, c.text!),
      text: c.text!,
    }));
    m.target.dropdownOptions = [...(m.target.dropdownOptions ?? []), ...shown];
  }
  const realized = writes.flatMap((w) => realize(run, creates, w));
  if (made.fatal !== undefined) return stop(failureText(made.fatal, run.mapping.name));
  return succeed(realized);
}

function provisionalOf(creates: CreateRun, fieldId: string, text: string): number {
  return creates.options.wanted().find((w) => w.fieldId === fieldId && w.text === text)!.provisionalId;
}

/** One write with real option ids; a value naming an option that was not made is rejected. */
function realize(run: RunContext, creates: CreateRun, write: EntryChanges): EntryChanges[] {
  const changed: EntryChanges['changed'] = [];
  let rejected = 0;
  for (const planned of write.changed) {
    const real = creates.options.realize(planned.update.value);
    if (real.ok) {
      changed.push({ ...planned, update: { ...planned.update, value: real.update } });
      continue;
    }
    rejected += 1;
    const { row, key } = write;
    run.problems.add({ code: 'rejected-value', row, key, column: planned.field.column, reason: real.reason });
  }
  if (rejected > 0) {
    // The row may already count as rejected; a second count is the price of not tracking rows here.
    run.tally.rows.rejected += 1;
    run.tally.fields.rejected += rejected;
  }
  if (changed.length > 0) return [{ ...write, changed }];
  run.tally.entries.unchanged += 1;
  return [];
}
