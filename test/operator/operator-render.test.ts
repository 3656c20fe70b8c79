import { describe, expect, it } from 'vitest';
import { html, SafeHtml } from '../../src/http/operator-page/html.js';
import { mappingFacts } from '../../src/http/operator-page/mapping-facts.js';
import { renderNotice, renderOverview } from '../../src/http/operator-page/render-overview.js';
import { renderRun, renderRunNotFound } from '../../src/http/operator-page/render-run.js';
import { noticeFromQuery, noticeQuery } from '../../src/http/operator-page/run-notice.js';
import { mergeRuns, runViewFromHistory, runViewFromStored } from '../../src/http/operator-page/run-view.js';
import { reportChangesPage, reportProblemsPage } from '../../src/results/report-pages.js';
import { storedRunFromReport } from '../../src/results/stored-run.js';
import type { RunReport } from '../../src/sync/report.js';
import { historyEntry, now, overview, runDetail, sampleReport } from './fixtures.js';

// The operator page's pure render functions: what a person reads, escaping, and report fields
// that other work adds (run kinds, rows skipped by state, warnings, targets) shown when present.

/** The text a person sees: tags dropped, character references decoded, spaces folded. */
function textOf(page: string): string {
  return page
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/\s+/g, ' ');
}

const markup = '<script>alert("x")</script>';

describe('html', () => {
  it('escapes every interpolation unless it is SafeHtml; arrays join; null, undefined and false are nothing', () => {
    const out = html`<p title="${'a"b'}">${'<b>'} ${new SafeHtml('<i>ok</i>')} ${['<', html`<u>${'&'}</u>`]}${null}${undefined}${false}${0}</p>`;
    expect(out.text).toBe('<p title="a&#34;b">&#60;b&#62; <i>ok</i> &#60;<u>&#38;</u>0</p>');
  });
});

/** A report with the fields other work adds: warnings, a run kind, rows skipped by state, a target, creations. */
function newerReport(): RunReport {
  return sampleReport({
    status: 'succeeded',
    warnings: 3,
    kind: 'incremental',
    target: 'companies',
    rows: {
      read: 61,
      matched: 60,
      unmatched: 1,
      ambiguous: 0,
      duplicate: 0,
      rejected: 0,
      skippedByState: 40,
    },
    created: { entries: [11, 12], companies: [9001], options: [], overLimit: 0, failed: 0 },
    creations: [
      { kind: 'list-entry', id: 11, entityId: 501, row: 3, key: 'domain=a.com' },
      { kind: 'list-entry', id: 12, entityId: 502, row: 5, key: 'domain=b.com' },
      { kind: 'company', id: 9001, name: `Acme ${markup}`, domain: 'acme.com', row: 4 },
    ],
  } as unknown as Partial<RunReport>);
}

describe('renderOverview', () => {
  it('shows each mapping with its schedule, next run, state and last runs, status and counts', () => {
    const text = textOf(renderOverview(overview(), { now }));
    expect(text).toContain('portfolio-arr');
    expect(text).toContain('Schedule 0 2 * * * (America/New_York) — next 2026-07-03 06:00:00 UTC (in 22 h)');
    expect(text).toContain('Writes to list 1001');
    expect(text).toContain('Version 3f1c9a0b7d2e');
    expect(text).toContain('2026-07-02 06:00:01 UTC partial 3.1 s schedule attempt 1/3');
    expect(text).toContain('rows 61 read · 60 matched · 1 unmatched · 1 rejected');
    expect(text).toContain('fields 60 written · 1 rejected');
    expect(text).toContain('Served by worker node-a.1.5c2e81f0 · runs from the Redis run history');
  });

  it('links each run to its page and offers "run now" that asks for the token', () => {
    const page = renderOverview(overview(), { now });
    expect(page).toContain('<a href="/operator/mappings/portfolio-arr/runs/portfolio-arr.abc.1">');
    expect(page).toMatch(
      /<form class="run-now" method="post" action="\/operator\/mappings\/portfolio-arr\/runs">[\s\S]*<input id="token-portfolio-arr" name="token" type="password"[^>]*required>[\s\S]*<button type="submit">Run now<\/button><\/form>/,
    );
  });

  it('loads nothing from elsewhere: no script, no external link, font or image', () => {
    for (const page of [renderOverview(overview(), { now }), renderRun(runDetail())]) {
      expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|https?:\/\//i);
    }
  });

  it('escapes names, values, reasons, errors and problems of invalid files', () => {
    const view = overview({
      notes: [markup],
      unloadable: [{ file: `/m/${markup}.yaml`, problems: [markup] }],
    });
    const [mapping] = view.mappings;
    mapping!.facts = [{ label: 'Writes to', value: markup }];
    mapping!.invalid = [`x.yaml:1:1 name: ${markup}`];
    mapping!.runs = [runViewFromHistory(historyEntry(sampleReport({ status: 'failed', error: markup })))];
    const page = renderOverview(view, { now, notice: { kind: 'refused', mapping: markup, status: 401 } });
    expect(page).not.toContain('<script>');
    expect(page).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    const text = textOf(page);
    expect(text).toContain(
      `Invalid edit: its file as it is now cannot be loaded; version 3f1c9a0b7d2e keeps running. x.yaml:1:1 name: ${markup}`,
    );
    expect(text).toContain(`${markup} was not run: that is not the worker token (WORKER_HTTP_TOKEN).`);
    expect(text).toContain(
      `Files that cannot be loaded Nothing of these runs until they are fixed. /m/${markup}.yaml ${markup}`,
    );
  });

  it('shows fields newer reports carry: warnings, run kind, rows skipped by state, target, creations', () => {
    const view = overview();
    view.mappings[0]!.runs = [runViewFromHistory(historyEntry(newerReport()))];
    const text = textOf(renderOverview(view, { now }));
    expect(text).toContain('succeeded 3 warnings');
    expect(text).toContain('rows 61 read · 60 matched · 1 unmatched · 40 skipped by state');
    expect(text).toContain('companies 60 updated');
    expect(text).toContain('created 2 entries · 1 companies');
    expect(text).toContain('kind incremental · target companies');
  });

  it('names the run kind of an incremental run as the engine reports it (report.sync)', () => {
    const report = {
      ...sampleReport(),
      sync: {
        kind: 'incremental',
        reason: 'state-fresh',
        rowsSkipped: 9_500,
        entriesFlagged: 20,
        entriesReread: 20,
        feedPages: 1,
        ownChangesSkipped: 0,
        liveScanCalls: 100,
        readCalls: 24,
        callsSaved: 76,
      },
    } as RunReport;
    const text = textOf(renderRun(runDetail({ run: runViewFromHistory(historyEntry(report)) })));
    expect(text).toContain(
      'Run kind incremental (state-fresh): 9500 rows skipped by the state, 20 entries flagged by the feed, 76 calls saved against a live scan',
    );
  });

  it('a target run’s page names its records companies; its creations are listed', () => {
    const page = renderRun(runDetail({ run: runViewFromHistory(historyEntry(newerReport())) }));
    const text = textOf(page);
    expect(text).toContain('Companies 60 updated · 0 unchanged · 0 failed');
    expect(text).toContain('Falcon <Analytics> company 10001 ARR field-101 1200 → 1300');
    expect(text).toContain('Code Row Key Column Company Value Reason');
    expect(text).toContain(
      `Created list entry 11 entity 501 row 3 list entry 12 entity 502 row 5 company 9001 Acme ${markup} (acme.com) row 4`,
    );
    expect(page).not.toContain('<script>');
  });

  it('reads a report of before changes were reported (no changes fields) without failing', () => {
    const { changes: _c, changesOmitted: _o, ...old } = sampleReport();
    const entry = historyEntry(old as RunReport);
    const view = overview();
    view.mappings[0]!.runs = [runViewFromHistory(entry)];
    expect(textOf(renderOverview(view, { now }))).toContain('partial');
    expect(reportChangesPage(old as RunReport, 0, 50)).toEqual({ total: 0, offset: 0, items: [] });
    expect(storedRunFromReport(old as RunReport).changes).toBe(0);
  });

  it('refreshes itself while a run is under way; says so when a mapping has no runs', () => {
    const busy = overview({ busy: true });
    busy.mappings[0]!.runs = [];
    busy.mappings[0]!.running = ['portfolio-arr.77'];
    const page = renderOverview(busy, { now });
    expect(page).toContain('<meta http-equiv="refresh" content="10">');
    expect(textOf(page)).toContain('Now running: job portfolio-arr.77');
    expect(textOf(page)).toContain('No runs recorded yet.');
    expect(renderOverview(overview(), { now })).not.toContain('http-equiv="refresh"');
  });
});

describe('renderRun', () => {
  it('shows the run, its changes before → after and its problems with their codes', () => {
    const text = textOf(renderRun(runDetail()));
    expect(text).toContain('portfolio-arr — run portfolio-arr.abc.1');
    expect(text).toContain(
      'Rows 61 read · 60 matched · 1 unmatched · 0 ambiguous · 0 duplicate · 1 rejected',
    );
    expect(text).toContain('Changes 1–1 of 1');
    expect(text).toContain('Falcon <Analytics> entry 10001 · entity 501 ARR field-101 1200 → 1300');
    expect(text).toContain('Problems 1–2 of 2');
    expect(text).toContain(
      'rejected-value 2 entry_id=10002 stage — <img src=x onerror=alert(1)> "<img src=x onerror=alert(1)>" is not an option of "Stage"',
    );
    expect(text).toContain('unmatched 61 entry_id=999999 — — — no list entry 999999 on list 1001');
    expect(renderRun(runDetail())).not.toContain('<img');
  });

  it('pages: previous and next keep the other list’s page; past the end offers the first page', () => {
    const report = sampleReport({
      changes: Array.from({ length: 60 }, (_, i) => ({
        entryId: 10_000 + i,
        entityId: i,
        fieldId: 'field-101',
        fieldName: 'ARR',
        before: i,
        after: i + 1,
        sent: i + 1,
      })),
    });
    const second = runDetail({ changes: { page: reportChangesPage(report, 50, 50) } });
    second.problems.page.offset = 0;
    const page = renderRun(second);
    expect(textOf(page)).toContain('Changes 51–60 of 60 ← Previous');
    expect(page).toContain(
      '<a href="/operator/mappings/portfolio-arr/runs/portfolio-arr.abc.1?changes=0&#38;problems=0#changes" rel="prev">',
    );
    expect(page).not.toContain('rel="next"');
    const first = renderRun(runDetail({ changes: { page: reportChangesPage(report, 0, 50) } }));
    expect(textOf(first)).toContain('Changes 1–50 of 60 Next →');
    expect(first).toContain('?changes=50&#38;problems=0#changes" rel="next">');
    const past = renderRun(runDetail({ problems: { page: reportProblemsPage(report, 10, 50) } }));
    expect(textOf(past)).toContain('None from 11 (the run has 2). First page');
  });

  it('says when the Redis history holds only a sample of the changes', () => {
    const text = textOf(
      renderRun(runDetail({ changes: { ...runDetail().changes, omission: { kept: 50, total: 1000 } } })),
    );
    expect(text).toContain(
      'The Redis run history keeps the first 50 of this run’s 1000 changes; set RESULTS_DATABASE_URL (the results store) to keep them all.',
    );
  });

  it('lists warnings a report gives as texts; a run no store has gets its own page', () => {
    // A list, as a report of another shape may carry; this version's reports count them (a number).
    const entry = historyEntry(
      sampleReport({
        warnings: ['3 rejected values are within tolerate.rejectedValues (5)', { message: markup }],
      } as unknown as Partial<RunReport>),
    );
    const page = renderRun(runDetail({ run: runViewFromHistory(entry) }));
    expect(textOf(page)).toContain(`2 warnings`);
    expect(textOf(page)).toContain(
      `Warnings 3 rejected values are within tolerate.rejectedValues (5) ${markup}`,
    );
    expect(page).not.toContain('<script>');
    const missing = renderRunNotFound('portfolio-arr', markup);
    expect(missing).not.toContain('<script>');
    expect(textOf(missing)).toContain(
      `Neither the Redis run history nor the results store has run ${markup} of portfolio-arr.`,
    );
  });
});

describe('run now notices', () => {
  it('carries only an outcome word, a status, the name and the job id through the redirect', () => {
    const queued = noticeQuery('portfolio-arr', 202, { outcome: 'queued', jobId: 'portfolio-arr.9' });
    expect(noticeFromQuery(Object.fromEntries(new URLSearchParams(queued)))).toEqual({
      kind: 'queued',
      mapping: 'portfolio-arr',
      jobId: 'portfolio-arr.9',
    });
    const refused = noticeQuery('portfolio-arr', 401, { error: 'missing or wrong bearer token' });
    expect(noticeFromQuery(Object.fromEntries(new URLSearchParams(refused)))).toEqual({
      kind: 'refused',
      mapping: 'portfolio-arr',
      status: 401,
    });
    expect(noticeFromQuery({ ran: 'x', outcome: '<b>' })).toBeUndefined();
    expect(noticeFromQuery({})).toBeUndefined();
  });

  it('words each outcome', () => {
    const text = (n: Parameters<typeof renderNotice>[0]) => textOf(renderNotice(n).text).trim();
    expect(text({ kind: 'queued', mapping: 'a', jobId: 'a.1' })).toBe('Run of a queued as job a.1 .');
    expect(text({ kind: 'follow-up', mapping: 'a', jobId: 'a.2' })).toBe(
      'A run of a is under way; one follow-up run (job a.2 ) starts when it ends.',
    );
    expect(text({ kind: 'refused', mapping: 'a', status: 503 })).toBe(
      'a was not run: Redis is out of reach, so no run can be queued now; try again when /readyz answers 200.',
    );
    expect(text({ kind: 'refused', mapping: 'a', status: 500 })).toBe(
      'a was not run: the trigger answered HTTP 500.',
    );
  });
});

describe('run views', () => {
  it('merges the two stores: the report (job, warnings) with the store’s uncapped counts; store-only runs too', () => {
    const inBoth = historyEntry(
      sampleReport({ warnings: 1 } as Partial<RunReport> & Record<string, unknown>),
    );
    const stored = { ...storedRunFromReport(inBoth.report), changes: 1200, problems: 2 };
    const running = {
      ...storedRunFromReport(
        sampleReport({ runId: 'portfolio-arr.def.1', startedAt: '2026-07-02T07:00:00.000Z' }),
      ),
      status: 'running' as const,
    };
    const merged = mergeRuns([stored, running], [inBoth], 5);
    expect(merged.map((r) => [r.runId, r.status, r.changes, r.trigger, r.warnings?.count])).toEqual([
      ['portfolio-arr.def.1', 'running', 1, undefined, undefined],
      ['portfolio-arr.abc.1', 'partial', 1200, 'schedule', 1],
    ]);
    expect(mergeRuns([stored, running], [inBoth], 1)).toHaveLength(1);
    expect(runViewFromStored(stored).counts.map((g) => g.name)).toEqual([
      'rows',
      'entries',
      'fields',
      'calls',
    ]);
  });

  it('says where a mapping writes, whichever way the format names it', () => {
    expect(mappingFacts({ list: 1001, mode: 'diff', source: { type: 'postgres' } })).toEqual([
      { label: 'Writes to', value: 'list 1001' },
      { label: 'Mode', value: 'diff' },
      { label: 'Source', value: 'postgres' },
    ]);
    expect(mappingFacts({ target: 'companies', sync: 'incremental' })).toEqual([
      { label: 'Writes to', value: 'companies' },
      { label: 'Sync', value: 'incremental' },
    ]);
    expect(mappingFacts(undefined)).toEqual([]);
  });
});
