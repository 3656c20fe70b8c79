import { html, SafeHtml } from './html.js';

// Pure: the page around every operator view. Everything it needs is in it: no script, no font, no
// file from anywhere else (the worker's Content-Security-Policy forbids them too).

// Our own constant text, not user data: in a <style> element character references are not decoded.
const styles = new SafeHtml(`
:root{color-scheme:light;--fg:#1d2430;--muted:#5d6778;--line:#d9dee7;--bg:#f5f7fa;--card:#fff;
--ok:#13653f;--ok-bg:#ddf4e6;--warn:#7a4b00;--warn-bg:#fff1d1;--bad:#9b1c1c;--bad-bg:#fde2e2;--info-bg:#e4ecfb}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;gap:1.5rem;align-items:center;padding:.7rem 1.5rem;background:#1d2430;color:#fff}
header a,header button{color:#cfd8e6;text-decoration:none;font:inherit;background:none;border:0;cursor:pointer;padding:0}
header a:hover,header button:hover{color:#fff}
header .brand{font-weight:600;color:#fff;margin-right:auto}
header form{margin:0}
main{max-width:1280px;margin:0 auto;padding:1.2rem 1.5rem 3rem}
h1{font-size:1.35rem;margin:.2rem 0 1rem}
h2{font-size:1.15rem;margin:0}
h3{font-size:1rem;margin:1.2rem 0 .5rem}
section.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem 1.2rem;margin:0 0 1.2rem}
.card-head{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;justify-content:space-between}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.7rem 0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{text-align:left;vertical-align:top;padding:.35rem .6rem;border-bottom:1px solid var(--line)}
th{font-weight:600;color:var(--muted);font-size:.85rem;background:#fafbfc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.arrow{width:1.5rem;text-align:center}
th.record{width:28%}
table.changes th:nth-child(3),table.changes th:nth-child(5){width:24%}
table.problems td:first-child{white-space:nowrap}
.value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem;overflow-wrap:anywhere}
.muted{color:var(--muted)}
.small{font-size:.85rem}
.status{display:inline-block;padding:.05rem .5rem;border-radius:99px;font-size:.85rem;font-weight:600;background:var(--info-bg)}
.status-succeeded{color:var(--ok);background:var(--ok-bg)}
.status-partial{color:var(--warn);background:var(--warn-bg)}
.status-failed{color:var(--bad);background:var(--bad-bg)}
.notice{padding:.6rem .9rem;border-radius:6px;margin:0 0 1rem;background:var(--info-bg)}
.notice.ok{background:var(--ok-bg);color:var(--ok)}
.notice.bad{background:var(--bad-bg);color:var(--bad)}
.notice.warn{background:var(--warn-bg);color:var(--warn)}
.notice ul{margin:.3rem 0 0;padding-left:1.2rem}
form.run-now{display:flex;gap:.5rem;align-items:center;margin:0}
form.run-now input{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:4px;width:13rem}
form.run-now button{font:inherit;padding:.3rem .9rem;border:0;border-radius:4px;background:#2456c9;color:#fff;cursor:pointer}
nav.pages{display:flex;gap:1rem;align-items:center;margin:.3rem 0}
a{color:#2456c9}
.error{color:var(--bad);overflow-wrap:anywhere}
footer{max-width:1280px;margin:0 auto;padding:0 1.5rem 2rem;color:var(--muted);font-size:.85rem}
`);

/** A whole page: header links, the body, a footer; `refreshSeconds` reloads it while runs are under way. */
export function pageShell(options: {
  title: string;
  body: SafeHtml;
  footer?: SafeHtml;
  refreshSeconds?: number;
}): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${options.title} — affinity-sync</title>
<style>${styles}</style></head>
<body>
<header><a class="brand" href="/operator">affinity-sync</a>
<a href="/operator">Mappings</a>
<a href="/dashboard">Queue (Bull Board)</a>
<a href="/readyz">Readiness</a>
<a href="/metrics">Metrics</a>
<form method="post" action="/logout"><button type="submit">Sign out</button></form></header>
<main>
${options.body}
</main>
${options.footer ? html`<footer>${options.footer}</footer>` : ''}
</body></html>
`;
}
