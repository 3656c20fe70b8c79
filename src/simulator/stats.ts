/** One accepted PATCH …/fields body, kept so tests can check bodies against the spec. */
export interface PatchRecord {
  listId: number;
  listEntryId: number;
  body: unknown;
}

/** One accepted PATCH /v2/{companies|persons}/{id}/fields body. */
export interface EntityPatchRecord {
  entity: 'company' | 'person';
  entityId: number;
  body: unknown;
}

/** What GET /_simulator/stats returns. */
export interface SimulatorStats {
  totalRequests: number;
  /** By method and route template, e.g. "PATCH /v2/lists/{listId}/list-entries/{listEntryId}/fields". */
  requestsByRoute: Record<string, number>;
  /** By HTTP status sent (dropped connections are not here: see `dropped`). */
  responsesByStatus: Record<string, number>;
  /** Successful PATCH …/fields calls per list entry id. */
  writesPerEntry: Record<string, number>;
  /** Field updates applied by successful PATCHes. */
  fieldWrites: number;
  /** 429 responses sent (window, quota, concurrency or storm). */
  rateLimited: number;
  /** Most requests admitted in one rate window. */
  maxInWindow: number;
  /** Most API requests in flight at once. */
  maxInFlight: number;
  /** Connections destroyed by the drop fault. */
  dropped: number;
  /** The last accepted PATCH bodies, oldest first (capped). */
  patches: PatchRecord[];
  /** Create calls hit by a create fault, before or after the create took effect. */
  createFaults: { beforeCommit: number; afterCommit: number };
  /** The last accepted company/person PATCH bodies, oldest first (capped); not in `patches`. */
  entityPatches: EntityPatchRecord[];
}

/** How many accepted PATCH bodies stats keep. */
export const patchLogCap = 10_000;

export class StatsRecorder {
  private totalRequests = 0;
  private requestsByRoute = new Map<string, number>();
  private responsesByStatus = new Map<number, number>();
  private writesPerEntry = new Map<number, number>();
  private fieldWrites = 0;
  private rateLimited = 0;
  private maxInFlight = 0;
  private dropped = 0;
  private patches: PatchRecord[] = [];
  private createFaults = { beforeCommit: 0, afterCommit: 0 };
  private entityPatches: EntityPatchRecord[] = [];

  request(route: string): void {
    this.totalRequests += 1;
    this.requestsByRoute.set(route, (this.requestsByRoute.get(route) ?? 0) + 1);
  }

  response(status: number): void {
    this.responsesByStatus.set(status, (this.responsesByStatus.get(status) ?? 0) + 1);
    if (status === 429) this.rateLimited += 1;
  }

  inFlight(count: number): void {
    if (count > this.maxInFlight) this.maxInFlight = count;
  }

  drop(): void {
    this.dropped += 1;
  }

  patch(record: PatchRecord, fieldCount: number): void {
    this.writesPerEntry.set(record.listEntryId, (this.writesPerEntry.get(record.listEntryId) ?? 0) + 1);
    this.fieldWrites += fieldCount;
    this.patches.push(record);
    if (this.patches.length > patchLogCap) this.patches.splice(0, this.patches.length - patchLogCap);
  }

  createFault(when: 'before-commit' | 'after-commit'): void {
    if (when === 'before-commit') this.createFaults.beforeCommit += 1;
    else this.createFaults.afterCommit += 1;
  }

  entityPatch(record: EntityPatchRecord, fieldCount: number): void {
    this.fieldWrites += fieldCount;
    this.entityPatches.push(record);
    if (this.entityPatches.length > patchLogCap) {
      this.entityPatches.splice(0, this.entityPatches.length - patchLogCap);
    }
  }

  snapshot(maxInWindow: number): SimulatorStats {
    return {
      totalRequests: this.totalRequests,
      requestsByRoute: Object.fromEntries(this.requestsByRoute),
      responsesByStatus: Object.fromEntries([...this.responsesByStatus].map(([k, v]) => [String(k), v])),
      writesPerEntry: Object.fromEntries([...this.writesPerEntry].map(([k, v]) => [String(k), v])),
      fieldWrites: this.fieldWrites,
      rateLimited: this.rateLimited,
      maxInWindow,
      maxInFlight: this.maxInFlight,
      dropped: this.dropped,
      patches: [...this.patches],
      createFaults: { ...this.createFaults },
      entityPatches: [...this.entityPatches],
    };
  }
}
