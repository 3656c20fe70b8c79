import { showTime } from './display.js';
import { html, type SafeHtml } from './html.js';
import type { CountGroup, RunView } from './run-view.js';

// Pure: pieces both operator views use.

const knownStatuses = new Set(['succeeded', 'partial', 'failed', 'running']);

/** The status as a coloured badge (a status this page does not know gets the neutral one). */
export function statusBadge(run: Pick<RunView, 'status' | 'dryRun' | 'handedBack'>): SafeHtml {
  const kind = knownStatuses.has(run.status) ? run.status : 'other';
  return html`<span class="status status-${kind}">${run.status}</span>${
    run.dryRun ? html` <span class="small muted">dry run</span>` : ''
  }${run.handedBack ? html` <span class="small muted">handed back at shutdown</span>` : ''}`;
}

/** "3 warnings" when the report has any. */
export function warningsBadge(run: Pick<RunView, 'warnings'>): SafeHtml {
  if (!run.warnings) return html``;
  const n = run.warnings.count;
  return html` <span class="status status-partial">${n} warning${n === 1 ? '' : 's'}</span>`;
}

/** One line per group: its first count always, the others when not zero ("rows 61 read · 1 unmatched"). */
export function compactCounts(groups: readonly CountGroup[]): SafeHtml {
  return html`${groups.map((group) => {
    const shown = group.items.filter((item, i) => i === 0 || item.value !== 0);
    return html`<div><span class="muted">${group.name}</span> ${shown
      .map((item) => `${item.value} ${item.label}`)
      .join(' · ')}</div>`;
  })}`;
}

/** The link to one run's page. */
export function runHref(mapping: string, runId: string, query = ''): string {
  return `/operator/mappings/${encodeURIComponent(mapping)}/runs/${encodeURIComponent(runId)}${query}`;
}

/** Label → value facts as a definition list. */
export function factList(facts: ReadonlyArray<{ label: string; value: string | SafeHtml }>): SafeHtml {
  if (facts.length === 0) return html``;
  return html`<dl class="facts">${facts.map((f) => html`<dt>${f.label}</dt><dd>${f.value}</dd>`)}</dl>`;
}

/** "2026-07-02 06:00:01 UTC" in a <time> element. */
export function timeElement(iso: string): SafeHtml {
  return html`<time datetime="${iso}">${showTime(iso)}</time>`;
}

/** Sentences about what could not be read, as one warning box. */
export function notesBox(notes: readonly string[]): SafeHtml {
  if (notes.length === 0) return html``;
  return html`<div class="notice warn" role="status">${
    notes.length === 1 ? notes[0] : html`<ul>${notes.map((n) => html`<li>${n}</li>`)}</ul>`
  }</div>`;
}
