import type { SimChange } from './change-log.js';
import { isIsoDateTime } from './pacific-date.js';

// The `filter` parameter of field-value-changes, in Affinity's filter language (the 2026-07-15
// document's "Filtering" section): `&` binds tighter than `|`, parentheses group, `!` negates,
// values are bare words or double-quoted with backslash escapes. Each property allows the
// operators the endpoint documents; anything else is a 400 naming what was wrong.

export type ChangePredicate = (change: SimChange) => boolean;
export type FilterParse = { ok: true; test: ChangePredicate } | { ok: false; message: string };

type Operator = '=' | '>' | '>=' | '<' | '<=';
type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'op'; text: string; at: number }
  | { kind: 'punct'; text: '&' | '|' | '(' | ')' | '!'; at: number };

interface Property {
  operators: readonly Operator[];
  type: 'text' | 'int64' | 'datetime';
  read: (change: SimChange) => string | number | null;
}

const properties: Record<string, Property> = {
  'field.id': { operators: ['='], type: 'text', read: (c) => c.field.id },
  'listEntry.id': { operators: ['='], type: 'int64', read: (c) => c.listEntryId },
  'changer.id': { operators: ['='], type: 'int64', read: (c) => c.changerId },
  changedAt: { operators: ['>', '<', '>=', '<='], type: 'datetime', read: (c) => c.at },
  actionType: { operators: ['='], type: 'text', read: (c) => c.actionType },
};

const special = new Set([...'\\*~!&=><$^|"\'()[]/']);
const operatorTexts = ['>=', '<=', '!=', '=^', '=$', '=~', '=', '>', '<'];

class FilterError extends Error {}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const op = operatorTexts.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op, at: i });
      i += op.length;
    } else if (ch === '&' || ch === '|' || ch === '(' || ch === ')' || ch === '!') {
      tokens.push({ kind: 'punct', text: ch, at: i });
      i += 1;
    } else if (ch === '"') {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\') j += 1;
        value += text[j] ?? '';
      }
      if (j >= text.length) throw new FilterError(`unterminated quoted value starting at position ${i + 1}`);
      tokens.push({ kind: 'word', text: value, at: i });
      i = j + 1;
    } else if (special.has(ch)) {
      throw new FilterError(`unexpected "${ch}" at position ${i + 1} (escape it or quote the value)`);
    } else {
      let j = i;
      while (j < text.length && !special.has(text[j] as string) && !/\s/.test(text[j] as string)) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j), at: i });
      i = j;
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): ChangePredicate {
    const test = this.or();
    const extra = this.tokens[this.i];
    if (extra) throw new FilterError(`unexpected "${extra.text}" at position ${extra.at + 1}`);
    return test;
  }

  private peek(text: string): boolean {
    const token = this.tokens[this.i];
    return token?.kind === 'punct' && token.text === text;
  }

  private or(): ChangePredicate {
    const parts = [this.and()];
    while (this.peek('|')) {
      this.i += 1;
      parts.push(this.and());
    }
    return parts.length === 1 ? (parts[0] as ChangePredicate) : (c) => parts.some((p) => p(c));
  }

  private and(): ChangePredicate {
    const parts = [this.unary()];
    while (this.peek('&')) {
      this.i += 1;
      parts.push(this.unary());
    }
    return parts.length === 1 ? (parts[0] as ChangePredicate) : (c) => parts.every((p) => p(c));
  }

  private unary(): ChangePredicate {
    if (this.peek('!')) {
      this.i += 1;
      const inner = this.unary();
      return (c) => !inner(c);
    }
    if (this.peek('(')) {
      this.i += 1;
      const inner = this.or();
      if (!this.peek(')')) throw new FilterError('missing ")"');
      this.i += 1;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): ChangePredicate {
    const name = this.tokens[this.i];
    const op = this.tokens[this.i + 1];
    const value = this.tokens[this.i + 2];
    if (name?.kind !== 'word')
      throw new FilterError(`expected a property at position ${(name?.at ?? 0) + 1}`);
    const property = properties[name.text];
    if (!property) {
      throw new FilterError(
        `unknown property "${name.text}"; field-value-changes filters on ${Object.keys(properties).join(', ')}`,
      );
    }
    if (op?.kind !== 'op') throw new FilterError(`expected an operator after "${name.text}"`);
    if (!(property.operators as readonly string[]).includes(op.text)) {
      throw new FilterError(
        `operator "${op.text}" is not allowed on "${name.text}" (allowed: ${property.operators.join(' ')})`,
      );
    }
    if (value?.kind !== 'word') throw new FilterError(`expected a value after "${name.text}${op.text}"`);
    this.i += 3;
    return compare(property, name.text, op.text as Operator, value.text);
  }
}

function compare(property: Property, name: string, op: Operator, text: string): ChangePredicate {
  let wanted: string | number = text;
  if (property.type === 'int64') {
    if (!/^\d{1,16}$/.test(text)) throw new FilterError(`"${name}" takes an integer; got "${text}"`);
    wanted = Number(text);
  } else if (property.type === 'datetime') {
    if (!isIsoDateTime(text)) {
      throw new FilterError(
        `"${name}" takes an ISO 8601 date-time such as 2024-06-01T12:00:00Z; got "${text}"`,
      );
    }
    wanted = Date.parse(text);
  }
  return (change) => {
    const have = property.read(change);
    if (have === null) return false;
    switch (op) {
      case '=':
        return have === wanted;
      case '>':
        return have > wanted;
      case '>=':
        return have >= wanted;
      case '<':
        return have < wanted;
      case '<=':
        return have <= wanted;
      default: {
        const never: never = op;
        return never;
      }
    }
  };
}

/** Parses a field-value-changes filter; an absent or blank filter matches every change. */
export function parseChangeFilter(text: string | null): FilterParse {
  if (text === null || text.trim() === '') return { ok: true, test: () => true };
  try {
    return { ok: true, test: new Parser(tokenize(text)).parse() };
  } catch (error) {
    if (error instanceof FilterError) return { ok: false, message: `filter: ${error.message}` };
    throw error;
  }
}
