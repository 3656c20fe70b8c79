// A small Dockerfile reader for structural checks where no Docker engine runs: instructions with
// line continuations joined and comments dropped, grouped by build stage.

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface Stage {
  /** The image after FROM (build arguments left as written). */
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into instructions. */
export function parseInstructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  const lines = text.split('\n');
  let pending: { text: string; line: number } | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (pending === undefined && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending !== undefined && trimmed.startsWith('#')) return;
    const continued = trimmed.endsWith('\\');
    const body = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending =
      pending === undefined
        ? { text: body, line: index + 1 }
        : { ...pending, text: `${pending.text} ${body}` };
    if (!continued) {
      const match = /^(\S+)\s*(.*)$/s.exec(pending.text);
      if (match)
        result.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: pending.line });
      pending = undefined;
    }
  });
  return result;
}

/** Groups instructions by FROM; instructions before the first FROM (ARG) are dropped. */
export function parseStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({
        image: match?.[1] ?? instruction.args,
        ...(match?.[2] === undefined ? {} : { name: match[2] }),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** Global `ARG NAME=default` values declared before the first FROM. */
export function globalArgs(text: string): Map<string, string> {
  const args = new Map<string, string>();
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'FROM') break;
    if (instruction.keyword !== 'ARG') continue;
    const [name, value] = instruction.args.split('=', 2);
    if (name !== undefined && value !== undefined) args.set(name.trim(), value.trim());
  }
  return args;
}
