/** One thing wrong in a mapping file, positioned at the offending YAML node (1-based line and column). */
export interface ConfigProblem {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path in the document, e.g. `fields.arr` or `match[1].by`; empty for the whole file. */
  path: string;
  message: string;
}

/** A problem not yet placed in a file: what `resolveFields` and the schema report. */
export interface PathProblem {
  path: string;
  message: string;
}

/** `mappings/portfolio.yaml:14:5 fields.arr: expected …` */
export function formatProblem(problem: ConfigProblem): string {
  const where =
    problem.line === undefined
      ? problem.file
      : `${problem.file}:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  if (problem.path !== '') return `${where} ${problem.path}: ${problem.message}`;
  return problem.line === undefined ? `${where}: ${problem.message}` : `${where} ${problem.message}`;
}

/** Every problem found in one or more mapping files; the message has one line per problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}
