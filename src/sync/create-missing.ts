import type { AffinityClient } from '../affinity/client.js';
import { type CreateWithCheckOptions, createWithCheck } from './create-with-check.js';
import type { Creation } from './creation.js';
import type { EntityLookup } from './entity-lookup.js';
import type { IndexedEntry } from './entry-index.js';
import { fatalReason } from './fatal-reason.js';
import type { CreationGroup } from './plan-creations.js';

export interface CreateMissingInput {
  client: AffinityClient;
  /** Domain → company id; told about each company created, asked again after a lost create. */
  lookup: EntityLookup | undefined;
  list: { id: number; type: string };
  groups: readonly CreationGroup[];
  /** The entries an entity already has on the list (on-list groups). */
  entriesOf: (entityId: number) => IndexedEntry[];
  dryRun: boolean;
  /** Groups created at once. @defaultValue 4 */
  concurrency?: number;
  check?: CreateWithCheckOptions;
  signal?: AbortSignal;
}

export interface CreateMissingResult {
  /** Groups whose entity has an entry now (created, or already there), to be written. */
  placed: Array<{ group: CreationGroup; entries: IndexedEntry[] }>;
  failed: Array<{ group: CreationGroup; reason: string }>;
  creations: Creation[];
  /** Set when a failure stopped every create (refused key, quota, limiter down, interrupted). */
  fatal?: string;
}

/**
 * Creates what the planned groups need — a company, then its list entry, or the entry of an
 * existing entity — each through the check-before-retry machine, so a lost answer is looked for
 * before anything is created again. A dry run creates nothing and lists what it would create.
 */
export async function createMissing(input: CreateMissingInput): Promise<CreateMissingResult> {
  const result: CreateMissingResult = { placed: [], failed: [], creations: [] };
  const work: CreationGroup[] = [];
  for (const group of input.groups) {
    if (group.kind === 'on-list') result.placed.push({ group, entries: input.entriesOf(group.entityId!) });
    else if (input.dryRun) result.creations.push(...plannedCreations(input.list.id, group));
    else work.push(group);
  }
  let next = 0;
  const lane = async (): Promise<void> => {
    while (result.fatal === undefined && next < work.length) {
      if (input.signal?.aborted) {
        result.fatal = 'interrupted: creates in flight finished, the rest were not sent';
        return;
      }
      const group = work[next++]!;
      try {
        await createGroup(input, group, result);
      } catch (caught) {
        result.fatal ??= fatalReason(caught) ?? (caught instanceof Error ? caught.message : String(caught));
      }
    }
  };
  const lanes = Math.max(1, Math.min(input.concurrency ?? 4, work.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return result;
}

async function createGroup(input: CreateMissingInput, group: CreationGroup, result: CreateMissingResult) {
  const origin = { row: group.rows[0]!.rowNumber, key: group.key };
  let entityId = group.entityId;
  if (group.kind === 'create-company') {
    const company = await createCompany(input, group.domain!, group.name!);
    if (!company.ok) {
      result.failed.push({ group, reason: `company for ${group.domain} not created: ${company.reason}` });
      return;
    }
    entityId = company.id;
    result.creations.push({
      kind: 'company',
      id: company.id,
      via: company.via,
      ...origin,
      name: group.name!,
      domain: group.domain!,
    });
  }
  const entry = await addEntry(input, entityId!);
  if (!entry.ok) {
    const made =
      group.kind === 'create-company' ? ` (company ${entityId} was created; the next run adds it)` : '';
    result.failed.push({ group, reason: `not added to list ${input.list.id}: ${entry.reason}${made}` });
    return;
  }
  result.creations.push({
    kind: 'list-entry',
    id: entry.id,
    via: entry.via,
    ...origin,
    listId: input.list.id,
    entityId: entityId!,
  });
  const indexed: IndexedEntry = { listEntryId: entry.id, entityId: entityId!, values: new Map() };
  if (group.name !== undefined) indexed.entityName = group.name;
  result.placed.push({ group, entries: [indexed] });
}

async function createCompany(input: CreateMissingInput, domain: string, name: string) {
  const { client, lookup } = input;
  if (lookup === undefined) throw new Error('creating companies needs the entity lookup');
  const outcome = await createWithCheck(
    {
      create: async () => (await client.createOrganization({ name, domain })).id,
      // The answer cached before the create said "no company": ask Affinity again.
      check: async () => {
        await lookup.forget('company', [domain]);
        const found = (await lookup.resolve('company', [domain])).get(domain);
        switch (found?.kind) {
          case 'found':
            return found.id;
          case 'missing':
            return null;
          case 'ambiguous':
            return {
              unsure: `${found.ids.length} companies now have the domain ${domain} (${found.ids.join(', ')})`,
            };
          default:
            return { unsure: found?.reason ?? `the domain ${domain} was not looked up` };
        }
      },
    },
    input.check,
  );
  // Known now: the next run (or a lookup racing this one) finds it without a search.
  if (outcome.ok) await lookup.remember('company', [[domain, outcome.id]]);
  return outcome;
}

function addEntry(input: CreateMissingInput, entityId: number) {
  const { client, list } = input;
  const kind = list.type === 'person' ? 'person' : 'company';
  // The entity had no entry on the list when it was read: any entry found now is the one created.
  const before = new Set(input.entriesOf(entityId).map((e) => e.listEntryId));
  return createWithCheck(
    {
      create: async () => (await client.addListEntry(list.id, entityId)).id,
      check: async () => {
        const entries = await client.listEntriesOfEntity(kind, entityId);
        return entries.find((e) => e.list_id === list.id && !before.has(e.id))?.id ?? null;
      },
    },
    input.check,
  );
}

/** What a group would create, without ids (a dry run, or past maxCreates). */
export function plannedCreations(listId: number, group: CreationGroup): Creation[] {
  const origin = { row: group.rows[0]!.rowNumber, key: group.key };
  const entry: Creation = { kind: 'list-entry', ...origin, listId };
  if (group.kind === 'add') return [{ ...entry, entityId: group.entityId! }];
  return [
    { kind: 'company', ...origin, name: group.name!, domain: group.domain! },
    { ...entry, name: group.name! },
  ];
}
