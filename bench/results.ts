// What a benchmark run produces: figures per scenario, rendered as results.md and results.json.

/** One measured figure, beside its target when it has one. */
export interface Figure {
  figure: string;
  /** Display value, units included. */
  value: string;
  /** The raw number, for results.json. */
  number?: number;
  /** The target in words, or "" when the figure is context. */
  target: string;
  /** Whether the target is met; null when the figure has no target. */
  met: boolean | null;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** What the scenario measures and how, one or two sentences. */
  measures: string;
  figures: Figure[];
  /** Raw measurements (reports, simulator stats, phases) for results.json. */
  raw: unknown;
}

export interface BenchResults {
  generatedAt: string;
  command: string;
  /** `git describe` of the work tree, when known. */
  commit?: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryGb: number };
  settings: Record<string, unknown>;
  scenarios: ScenarioResult[];
}

/** A figure without a target. */
export function context(figure: string, value: string, number?: number): Figure {
  return { figure, value, ...(number === undefined ? {} : { number }), target: '', met: null };
}

/** A figure checked against a target. */
export function checked(figure: string, value: string, number: number, target: string, met: boolean): Figure {
  return { figure, value, number, target, met };
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The results table (scenario, figure, value, target, met?) and what each scenario measures. */
export function renderMarkdown(results: BenchResults): string {
  const lines = [
    '# Benchmark results',
    '',
    `Generated ${results.generatedAt} by \`${results.command}\`${results.commit ? ` at ${results.commit}` : ''} on ${results.machine.cpus} × ${results.machine.cpuModel}, ` +
      `${results.machine.memoryGb} GB, Node ${results.machine.node} (${results.machine.platform}). ` +
      'Raw figures: bench/results.json.',
    '',
    '| Scenario | Figure | Value | Target | Met? |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const scenario of results.scenarios) {
    for (const f of scenario.figures) {
      const met = f.met === null ? '' : f.met ? 'yes' : '**no**';
      lines.push(`| ${scenario.id} | ${cell(f.figure)} | ${cell(f.value)} | ${cell(f.target)} | ${met} |`);
    }
  }
  lines.push('', '## What each scenario measures', '');
  for (const scenario of results.scenarios)
    lines.push(`- **${scenario.id} — ${scenario.title}.** ${scenario.measures}`);
  lines.push('');
  return lines.join('\n');
}
