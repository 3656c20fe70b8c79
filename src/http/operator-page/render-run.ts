import type { StoredChange, StoredProblemRow } from '../../results/results-reader.js';
import { showDuration, showValue } from './display.js';
import { html, type SafeHtml } from './html.js';
import { pageShell } from './layout.js';
import type { PageView, RunDetailView } from './operator-view.js';
import { factList, notesBox, runHref, statusBadge, timeElement, warningsBadge } from './render-parts.js';
import type { RunView } from './run-view.js';

// Pure: one run's page: its facts and counts, then its changes and its problems, a page of each.

/** Which page of changes and of problems the page shows (offsets), so each pager keeps the other. */
export interface RunOffsets {
  changes: number;
  problems: number;
}

export function renderRun(view: RunDetailView): string {
  const { run } = view;
  const offsets = { changes: view.changes.page.offset, problems: view.problems.page.offset };
  const body = html`<p class="small"><a href="/operator#mapping-${view.mapping}">← ${view.mapping}</a></p>
<h1>${view.mapping} — run <span class="value">${run.runId}</span></h1>
${notesBox(view.notes)}
<section class="card">
<div class="card-head"><div>${statusBadge(run)}${warningsBadge(run)}</div></div>
${factList(runFacts(run))}
${run.error ? html`<p class="error"><strong>Error:</strong> ${run.error}</p>` : ''}
${run.warnings && run.warnings.items.length > 0 ? html`<h3>Warnings</h3><ul>${run.warnings.items.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
${countsTable(run)}
${run.creations ? html`<h3>${run.dryRun ? 'Would create' : 'Created'}</h3><ul>${run.creations.map((line) => html`<li>${line}</li>`)}</ul>` : ''}
</section>
<section class="card" id="changes">
<h2>${run.dryRun ? 'Changes it would write' : 'Changes'}</h2>
${pager(view, 'changes', view.changes, offsets)}
${changesTable(view.changes.page.items, recordWord(run.target))}
${omissionNote(view, 'changes')}
</section>
<section class="card" id="problems">
<h2>Problems</h2>
${pager(view, 'problems', view.problems, offsets)}
${problemsTable(view.problems.page.items, recordWord(run.target))}
${omissionNote(view, 'problems')}
</section>`;
  const source = view.source === 'results-store' ? 'the results store' : 'the Redis run history';
  return pageShell({ title: `${view.mapping} run`, body, footer: html`Changes and problems from ${source}.` })
    .text;
}

function runFacts(run: RunView): Array<{ label: string; value: string | SafeHtml }> {
  return [
    { label: 'Started', value: timeElement(run.startedAt) },
    ...(run.finishedAt ? [{ label: 'Finished', value: timeElement(run.finishedAt) }] : []),
    { label: 'Duration', value: showDuration(run.durationMs) },
    ...(run.mode ? [{ label: 'Mode', value: run.mode }] : []),
    ...(run.trigger
      ? [{ label: 'Trigger', value: `${run.trigger}${run.attempt ? `, attempt ${run.attempt}` : ''}` }]
      : []),
    ...(run.mappingHash
      ? [{ label: 'Mapping version', value: html`<span class="value">${run.mappingHash}</span>` }]
      : []),
    ...run.details.map((d) => ({ label: capitalise(d.label), value: d.value })),
  ];
}

function countsTable(run: RunView): SafeHtml {
  if (run.counts.length === 0) return html`<p class="muted">No counts: the run has no report yet.</p>`;
  return html`<table class="counts"><tbody>${run.counts.map(
    (group) =>
      html`<tr><th scope="row">${capitalise(group.name)}</th><td>${group.items.map(
        (item, i) => html`${i > 0 ? ' · ' : ''}<strong>${item.value}</strong> ${item.label}`,
      )}</td></tr>`,
  )}</tbody></table>`;
}

/** What a run's records are: list entries, or a target's companies or persons. */
function recordWord(target: string | undefined): string {
  if (target === 'companies') return 'company';
  if (target === 'persons') return 'person';
  return target ?? 'entry';
}

function changesTable(items: readonly StoredChange[], record: string): SafeHtml {
  if (items.length === 0) return html``;
  return html`<table class="changes"><thead><tr><th class="record">Record</th><th>Field</th><th>Before</th><th class="arrow"></th><th>After</th></tr></thead>
<tbody>${items.map(
    (
      c,
    ) => html`<tr><td>${c.entityName ?? html`<span class="muted">entity ${c.entityId}</span>`}<div class="small muted">${record === 'entry' ? `entry ${c.listEntryId} · entity ${c.entityId}` : `${record} ${c.listEntryId}`}</div></td>
<td>${c.fieldName}<div class="small muted">${c.fieldId}</div></td>
<td class="value">${showValue(c.before)}</td><td class="arrow muted">→</td><td class="value">${showValue(c.after)}</td></tr>`,
  )}</tbody></table>`;
}

function problemsTable(items: readonly StoredProblemRow[], record: string): SafeHtml {
  if (items.length === 0) return html``;
  const cell = (value: string | number | undefined) =>
    value === undefined ? html`<td class="muted">—</td>` : html`<td>${value}</td>`;
  return html`<table class="problems"><thead><tr><th>Code</th><th>Row</th><th>Key</th><th>Column</th><th>${capitalise(record)}</th><th>Value</th><th>Reason</th></tr></thead>
<tbody>${items.map(
    (p) =>
      html`<tr><td><span class="value">${p.code ?? '—'}</span></td>${cell(p.row)}${cell(p.key)}${cell(p.column)}${cell(p.listEntryId)}${
        p.value === undefined ? html`<td class="muted">—</td>` : html`<td class="value">${p.value}</td>`
      }<td>${p.reason}</td></tr>`,
  )}</tbody></table>`;
}

/** "Changes 1–50 of 60" with links to the previous and next pages (the other list's page kept). */
function pager(
  view: RunDetailView,
  what: keyof RunOffsets,
  { page }: PageView<unknown>,
  offsets: RunOffsets,
): SafeHtml {
  const label = what === 'changes' ? 'Changes' : 'Problems';
  if (page.total === 0) return html`<p class="muted">None.</p>`;
  if (page.items.length === 0) {
    return html`<p class="muted">None from ${page.offset + 1} (the run has ${page.total}). <a href="${link(view, { ...offsets, [what]: 0 }, what)}">First page</a></p>`;
  }
  const last = page.offset + page.items.length;
  const previous = Math.max(0, page.offset - view.limit);
  return html`<nav class="pages" aria-label="${label} pages"><span>${label} ${page.offset + 1}–${last} of ${page.total}</span>${
    page.offset > 0
      ? html`<a href="${link(view, { ...offsets, [what]: previous }, what)}" rel="prev">← Previous</a>`
      : ''
  }${last < page.total ? html`<a href="${link(view, { ...offsets, [what]: last }, what)}" rel="next">Next →</a>` : ''}</nav>`;
}

function link(view: RunDetailView, offsets: RunOffsets, anchor: keyof RunOffsets): string {
  return runHref(
    view.mapping,
    view.run.runId,
    `?changes=${offsets.changes}&problems=${offsets.problems}#${anchor}`,
  );
}

function omissionNote(view: RunDetailView, what: keyof RunOffsets): SafeHtml {
  const omission = view[what].omission;
  if (!omission) return html``;
  const holder = what === 'changes' ? 'The Redis run history keeps' : 'The run report keeps';
  return html`<p class="small muted">${holder} the first ${omission.kept} of this run’s ${omission.total} ${what}; set RESULTS_DATABASE_URL (the results store) to keep them all.</p>`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The page for a run no store has (a wrong id, or one the history has trimmed away). */
export function renderRunNotFound(mapping: string, runId: string): string {
  const body = html`<p class="small"><a href="/operator">← Mappings</a></p>
<h1>No such run</h1>
<p>Neither the Redis run history nor the results store has run <span class="value">${runId}</span> of ${mapping}. The history keeps the newest HISTORY_RETENTION runs of each mapping; <span class="value">affinity-sync history ${mapping}</span> lists the runs recorded.</p>`;
  return pageShell({ title: 'No such run', body }).text;
}
