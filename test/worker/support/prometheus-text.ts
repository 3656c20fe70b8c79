// Reads what the alert-rules test needs from Prometheus text and from PromQL rule expressions: the
// series of each metric with their labels and types, and the selectors an expression names.

export interface Scrape {
  /** Metric name → label sets of its series. */
  series: Map<string, Array<Record<string, string>>>;
  /** Metric family name → `# TYPE` (counter, gauge, histogram, …). */
  types: Map<string, string>;
}

export function parseScrape(text: string): Scrape {
  const series = new Map<string, Array<Record<string, string>>>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
    const list = series.get(sample[1]!) ?? [];
    list.push(labels);
    series.set(sample[1]!, list);
  }
  return { series, types };
}

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
  /** The function applied directly to it (`increase`, `max_over_time`, …), if any. */
  fn?: string;
}

/** The metric selectors of an expression (our metrics only), with their matchers and enclosing function. */
export function selectorsOf(expr: string, prefix: string): Selector[] {
  const found: Selector[] = [];
  const pattern = new RegExp(`(?:\\b(\\w+)\\(\\s*)?\\b(${prefix}\\w*)(?:\\{([^}]*)\\})?`, 'g');
  for (const m of expr.matchAll(pattern)) {
    const matchers: Matcher[] = [];
    for (const mm of (m[3] ?? '').matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      matchers.push({ label: mm[1]!, op: mm[2] as Matcher['op'], value: mm[3]! });
    }
    found.push({ metric: m[2]!, matchers, ...(m[1] === undefined ? {} : { fn: m[1] }) });
  }
  return found;
}

/** Labels named by `by (…)`, `on (…)`, `without (…)`, `ignoring (…)`. */
export function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|on|without|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}
