import type { RunReport } from '../sync/report.js';
import type { Page, StoredChange, StoredProblemRow } from './results-reader.js';

// Pure: a report's changes and problems as pages, for `history` and the operator page when there is
// no results store (the Redis history keeps a report's first changes and first 1,000 problems).
// Reports recorded before changes were reported have none: read as empty.

/** A page of the changes the report holds (in the Redis history: its sample). */
export function reportChangesPage(report: RunReport, offset: number, limit: number): Page<StoredChange> {
  const changes = report.changes ?? [];
  return {
    total: changes.length,
    offset,
    items: changes.slice(offset, offset + limit).map((c) => ({
      listEntryId: c.entryId,
      entityId: c.entityId,
      ...(c.entityName === undefined ? {} : { entityName: c.entityName }),
      fieldId: c.fieldId,
      fieldName: c.fieldName,
      before: c.before,
      after: c.after,
      sent: c.sent,
    })),
  };
}

/** A page of the problems the report holds (its first 1,000). */
export function reportProblemsPage(report: RunReport, offset: number, limit: number): Page<StoredProblemRow> {
  return {
    total: report.problems.length,
    offset,
    items: report.problems.slice(offset, offset + limit).map((p) => ({
      code: p.code,
      ...(p.row === undefined ? {} : { row: p.row }),
      ...(p.key === undefined ? {} : { key: p.key }),
      ...(p.column === undefined ? {} : { column: p.column }),
      ...(p.entryId === undefined ? {} : { listEntryId: p.entryId }),
      ...(p.value === undefined ? {} : { value: p.value }),
      reason: p.reason,
    })),
  };
}

/** What of a run's changes / problems a report lacks: kept vs the run's total, when some are missing. */
export interface Omission {
  kept: number;
  total: number;
}

export function omittedChanges(report: RunReport): Omission | undefined {
  const kept = (report.changes ?? []).length;
  const omitted = report.changesOmitted ?? 0;
  return omitted > 0 ? { kept, total: kept + omitted } : undefined;
}

export function omittedProblems(report: RunReport): Omission | undefined {
  const total = report.problems.length + report.problemsOmitted;
  return report.problemsOmitted > 0 ? { kept: report.problems.length, total } : undefined;
}
