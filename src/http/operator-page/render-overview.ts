import { showDuration, showRelative, showTime } from './display.js';
import { html, type SafeHtml } from './html.js';
import { pageShell } from './layout.js';
import type { MappingView, OverviewView, RunNotice } from './operator-view.js';
import {
  compactCounts,
  factList,
  notesBox,
  runHref,
  statusBadge,
  timeElement,
  warningsBadge,
} from './render-parts.js';
import type { RunView } from './run-view.js';

// Pure: the operator page's front: every mapping with its schedule, state and last runs.

/** The whole front page; `now` (epoch ms) words the next run ("in 4 h"). */
export function renderOverview(view: OverviewView, options: { now: number; notice?: RunNotice }): string {
  const source =
    view.source === 'results-store' ? 'the results store and the Redis run history' : 'the Redis run history';
  const body = html`<h1>Mappings</h1>
${options.notice ? renderNotice(options.notice) : ''}
${notesBox(view.notes)}
${view.mappings.length === 0 ? html`<p class="muted">This worker runs no mapping: add a file to MAPPINGS_DIR.</p>` : ''}
${view.mappings.map((m) => renderMapping(m, options.now))}
${renderUnloadable(view.unloadable)}`;
  const footer = html`Served by worker ${view.workerId} · runs from ${source} · ${showTime(new Date(options.now).toISOString())}${
    view.busy ? ' · refreshes every 10 s while a run is under way' : ''
  }`;
  return pageShell({ title: 'Mappings', body, footer, ...(view.busy ? { refreshSeconds: 10 } : {}) }).text;
}

function renderMapping(m: MappingView, now: number): SafeHtml {
  const schedule = m.schedule
    ? html`<span class="value">${m.schedule.cron}</span> (${m.schedule.timezone})${
        m.schedule.next
          ? html` — next ${timeElement(m.schedule.next)} <span class="muted">(${showRelative(m.schedule.next, now)})</span>`
          : ''
      }`
    : html`<span class="muted">none: runs on demand only</span>`;
  const jobs = [
    ...m.running.map((id) => html`running: job <span class="value">${id}</span>`),
    ...m.queued.map((id) => html`waiting: job <span class="value">${id}</span>`),
  ];
  const facts = [
    { label: 'Schedule', value: schedule },
    ...m.facts,
    { label: 'File', value: html`<span class="value">${m.file}</span>` },
    {
      label: 'Version',
      value: html`<span class="value">${m.hash}</span>${
        m.otherVersions.length > 0
          ? html` <span class="muted">(other workers run ${m.otherVersions.join(', ')})</span>`
          : ''
      }`,
    },
    ...(jobs.length > 0
      ? [{ label: 'Now', value: html`${jobs.map((j, i) => html`${i > 0 ? '; ' : ''}${j}`)}` }]
      : []),
  ];
  return html`<section class="card mapping" id="mapping-${m.name}" aria-label="${m.name}">
<div class="card-head"><h2>${m.name}</h2>${runNowForm(m.name)}</div>
${factList(facts)}
${
  m.invalid
    ? html`<div class="notice warn"><strong>Invalid edit:</strong> its file as it is now cannot be loaded; version ${m.hash} keeps running.<ul>${m.invalid.map((p) => html`<li class="value">${p}</li>`)}</ul></div>`
    : ''
}
<h3>Last runs</h3>
${m.runs.length === 0 ? html`<p class="muted">No runs recorded yet.</p>` : runsTable(m.name, m.runs)}
</section>`;
}

/** Asks for a run through POST /mappings/{name}/runs: the token is needed even when signed in. */
function runNowForm(name: string): SafeHtml {
  return html`<form class="run-now" method="post" action="/operator/mappings/${encodeURIComponent(name)}/runs">
<label class="small muted" for="token-${name}">Worker token</label>
<input id="token-${name}" name="token" type="password" autocomplete="current-password" placeholder="WORKER_HTTP_TOKEN" required>
<button type="submit">Run now</button></form>`;
}

function runsTable(mapping: string, runs: readonly RunView[]): SafeHtml {
  return html`<table class="runs"><thead><tr><th>Started</th><th>Status</th><th>Duration</th><th>Trigger</th><th>Counts</th><th>Changes</th><th>Problems</th></tr></thead>
<tbody>${runs.map(
    (run) => html`<tr data-run="${run.runId}">
<td><a href="${runHref(mapping, run.runId)}">${showTime(run.startedAt)}</a></td>
<td>${statusBadge(run)}${warningsBadge(run)}</td>
<td class="num">${showDuration(run.durationMs)}</td>
<td>${run.trigger ?? html`<span class="muted">—</span>`}${run.attempt ? html` <span class="small muted">attempt ${run.attempt}</span>` : ''}</td>
<td class="small">${compactCounts(run.counts)}${
      run.details.length > 0
        ? html`<div class="muted">${run.details.map((d) => `${d.label} ${d.value}`).join(' · ')}</div>`
        : ''
    }${run.error ? html`<div class="error">${run.error}</div>` : ''}</td>
<td class="num">${run.changes ?? '—'}</td>
<td class="num">${run.problems ?? '—'}</td></tr>`,
  )}</tbody></table>`;
}

function renderUnloadable(files: OverviewView['unloadable']): SafeHtml {
  if (files.length === 0) return html``;
  return html`<section class="card"><h2>Files that cannot be loaded</h2>
<p class="muted">Nothing of these runs until they are fixed.</p>
${files.map((f) => html`<h3 class="value">${f.file}</h3><ul>${f.problems.map((p) => html`<li class="value">${p}</li>`)}</ul>`)}
</section>`;
}

/** What became of a "run now", in words (only fixed texts and the escaped name and job id). */
export function renderNotice(notice: RunNotice): SafeHtml {
  switch (notice.kind) {
    case 'queued':
      return html`<div class="notice ok" role="status">Run of ${notice.mapping} queued as job <span class="value">${notice.jobId}</span>.</div>`;
    case 'folded':
      return html`<div class="notice ok" role="status">A run of ${notice.mapping} was already waiting; the request joined job <span class="value">${notice.jobId}</span>.</div>`;
    case 'follow-up':
      return html`<div class="notice ok" role="status">A run of ${notice.mapping} is under way; one follow-up run (job <span class="value">${notice.jobId}</span>) starts when it ends.</div>`;
    case 'refused':
      return html`<div class="notice bad" role="alert">${notice.mapping} was not run: ${refusal(notice.status)}</div>`;
    default: {
      const never: never = notice;
      throw new Error(`unknown notice ${String(never)}`);
    }
  }
}

function refusal(status: number): string {
  switch (status) {
    case 401:
      return 'that is not the worker token (WORKER_HTTP_TOKEN).';
    case 403:
      return 'the run trigger is off; set WORKER_HTTP_TOKEN on the worker to turn it on.';
    case 404:
      return 'this worker does not run a mapping of that name (any more).';
    case 503:
      return 'Redis is out of reach, so no run can be queued now; try again when /readyz answers 200.';
    default:
      return `the trigger answered HTTP ${status}.`;
  }
}
