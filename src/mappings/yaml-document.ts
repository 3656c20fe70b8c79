import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { PathProblem } from './config-error.js';
import { pathText, type SegmentedProblem } from './parse-mapping.js';

/** A parsed mapping file: its YAML problems, the data after `${VAR}` interpolation, and node positions. */
export interface MappingDocument {
  /** YAML syntax and environment problems, positioned. */
  problems: PositionedProblem[];
  /** The document as plain data (undefined when the YAML did not parse). */
  data: unknown;
  /** Interpolated values → the text in the file, so messages never echo them. */
  interpolated: Map<string, string>;
  /** Line and column (1-based) of the node at `segments`, or of its nearest existing parent. */
  locate(segments: readonly (string | number)[], atKey?: boolean): { line: number; column: number };
}

export interface PositionedProblem extends PathProblem {
  line: number;
  column: number;
}

const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses mapping text: YAML syntax, then `${VAR}` in every string value read from `env`. */
export function parseMappingDocument(text: string, env: NodeJS.ProcessEnv): MappingDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate = (segments: readonly (string | number)[], atKey = false) =>
    at(offsetOf(doc, segments, atKey));
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => ({
      ...at(error.pos[0]),
      path: '',
      message: `YAML syntax error: ${error.message.replace(/\s+/g, ' ').trim()}`,
    }));
    return { problems, data: undefined, interpolated: new Map(), locate };
  }
  const interpolated = new Map<string, string>();
  const problems: PositionedProblem[] = [];
  walkStrings(doc.contents, [], (scalar, segments) => {
    const raw = scalar.value as string;
    const { value, missing, malformed } = interpolate(raw, env);
    const where = { ...at(scalar.range?.[0] ?? 0), path: pathText(segments) };
    for (const name of missing) {
      problems.push({ ...where, message: `environment variable ${name} is not set (used as \${${name}})` });
    }
    if (malformed !== undefined) problems.push({ ...where, message: malformed });
    if (value !== raw) {
      scalar.value = value;
      if (value !== '') interpolated.set(value, raw);
    }
  });
  return { problems, data: doc.toJS(), interpolated, locate };
}

/** Positions schema problems in the document. */
export function positionProblems(
  document: MappingDocument,
  problems: SegmentedProblem[],
): PositionedProblem[] {
  return problems.map((p) => ({
    ...document.locate(p.segments, p.atKey),
    path: pathText(p.segments),
    message: p.message,
  }));
}

/**
 * Replaces `${NAME}` with the variable's value; `$${` stands for a literal `${`. Unset variables
 * are listed (an empty one counts as set).
 */
export function interpolate(
  raw: string,
  env: NodeJS.ProcessEnv,
): { value: string; missing: string[]; malformed?: string } {
  let value = '';
  const missing: string[] = [];
  let i = 0;
  while (i < raw.length) {
    if (raw.startsWith('$${', i)) {
      value += '${';
      i += 3;
    } else if (raw.startsWith('${', i)) {
      const end = raw.indexOf('}', i + 2);
      if (end < 0)
        return {
          value: raw,
          missing,
          malformed: `unclosed "\${"; write \${NAME}, or $\${ for a literal "\${"`,
        };
      const name = raw.slice(i + 2, end);
      if (!variableName.test(name)) {
        return {
          value: raw,
          missing,
          malformed: `"\${${name}}" is not a variable reference; write \${NAME} with letters, digits and _, or $\${ for a literal "\${"`,
        };
      }
      const found = env[name];
      if (found === undefined) missing.push(name);
      else value += found;
      i = end + 1;
    } else {
      value += raw[i];
      i += 1;
    }
  }
  return { value, missing };
}

type ScalarNode = Extract<Node, { value: unknown; range?: unknown }> & { value: unknown };

function walkStrings(
  node: unknown,
  segments: (string | number)[],
  visit: (scalar: ScalarNode, segments: (string | number)[]) => void,
): void {
  if (isScalar(node)) {
    if (typeof node.value === 'string') visit(node as ScalarNode, segments);
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      walkStrings(pair.value, [...segments, key], visit);
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) walkStrings(item, [...segments, index], visit);
  }
}

function offsetOf(doc: Document, segments: readonly (string | number)[], atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, segment] of segments.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment),
      );
      if (pair === undefined) return offset;
      next = pair.value;
      keyOffset = rangeStart(pair.key);
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    } else {
      return offset;
    }
    if (atKey && index === segments.length - 1 && keyOffset !== undefined) return keyOffset;
    // `key:` with no value has a null scalar placed after the colon; point at the key instead.
    offset = rangeStart(next) ?? keyOffset ?? offset;
    if (
      isScalar(next) &&
      next.value === null &&
      keyOffset !== undefined &&
      (next.range?.[0] ?? 0) >= (next.range?.[1] ?? 0)
    ) {
      offset = keyOffset;
    }
    node = next;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range?.[0];
  }
  return undefined;
}
