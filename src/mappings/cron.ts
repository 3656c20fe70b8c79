import { CronExpressionParser } from 'cron-parser';
import { errorMessage } from '../util/error-message.js';

// Whether a schedule is accepted is cron-parser's call (the parser BullMQ's job schedulers use, at
// the version they use): a mapping passes exactly when the worker could schedule it. This module
// only words the refusal, naming the field at fault, so a typo is a config error that says where,
// not a schedule that silently never fires.

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names allowed instead of numbers, the first standing for `min`. */
  names?: readonly string[];
  /** `L` (last day of the month; `5L` the last Friday) is allowed. */
  last?: boolean;
}

const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const weekdays = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** cron-parser's six fields; an expression of n < 6 fields fills the last n. */
const sixFields: readonly CronField[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, last: true },
  { name: 'month', min: 1, max: 12, names: months },
  { name: 'day of week', min: 0, max: 7, names: weekdays, last: true },
];
/** Values cron-parser accepts in every field, for probing one field at a time. */
const neutral = ['0', '*', '*', '*', '*', '*'];

const fieldCounts =
  'expected a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first)';

/** Returns what is wrong with `expression` as BullMQ's scheduler would read it, or null when it is fine. */
export function cronProblem(expression: string): string | null {
  // BullMQ refuses an empty pattern before cron-parser (which would read it as every minute) sees it.
  if (expression === '') return `${fieldCounts}, found 0 fields in ""`;
  const refusal = parseRefusal(expression);
  if (refusal === null) return null;
  const atoms = expression.trim().split(/\s+/);
  if (atoms.length === 1 && atoms[0]?.startsWith('@')) {
    // cron-parser looks macros up verbatim: " @daily" is not "@daily".
    if (parseRefusal(atoms[0]) === null) return `"${expression}": write the macro without spaces around it`;
    return `"${expression}" is not a macro cron-parser reads (such as @daily, @hourly, @weekly, @monthly, @yearly)`;
  }
  // Refused with fewer than five fields: the likeliest mistake is a missing field.
  if (atoms.length > sixFields.length || atoms.length < 5 || atoms[0] === '') {
    const count = atoms[0] === '' ? 0 : atoms.length;
    return `${fieldCounts}, found ${count} field${count === 1 ? '' : 's'} in "${expression}"`;
  }
  return (
    fieldAtFault(expression, atoms) ??
    `"${expression}" is refused by cron-parser (the parser BullMQ schedules with): ${refusal}`
  );
}

/** cron-parser's reason for refusing `expression` (parse, or a first occurrence), or null. */
function parseRefusal(expression: string): string | null {
  try {
    CronExpressionParser.parse(expression).next();
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}

// The first field (then list item) cron-parser refuses on its own, named and explained.
function fieldAtFault(expression: string, atoms: readonly string[]): string | null {
  const offset = sixFields.length - atoms.length;
  for (const [i, atom] of atoms.entries()) {
    const field = sixFields[offset + i]!;
    const alone = (text: string) =>
      parseRefusal(neutral.map((n, k) => (k === offset + i ? text : n)).join(' '));
    const refusal = alone(atom);
    if (refusal === null) continue;
    const at = (text: string) => `${field.name} "${text}" in "${expression}"`;
    for (const item of atom.split(',')) {
      if (item === '') return `${at(item)}: empty list item`;
      const itemRefusal = alone(item);
      if (itemRefusal !== null) return `${at(item)}: ${explain(item, field) ?? itemRefusal}`;
    }
    // Each item passes alone: the list as a whole is refused (e.g. "1#1,2#1").
    return `${at(atom)}: ${refusal}`;
  }
  return null;
}

/** Why cron-parser refuses `item` in `field`, in words; null when no rule here fits. */
function explain(item: string, field: CronField): string | null {
  const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}`;
  const expected = `expected a number in ${range}, *, a range, a step or a list`;
  if (item.split('/').length > 2) return 'more than one "/" step';
  const [base = '', step] = item.split('/');
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) {
    return 'the step after "/" must be a whole number of 1 or more';
  }
  if (base.includes('H')) return null;
  if (field.name === 'day of week' && base === 'L')
    return 'L needs a day before it here, like 5L (the last Friday)';
  const [day = '', nth] = base.split('#');
  if (nth !== undefined && !/^[1-5]$/.test(nth)) return 'the week after "#" must be 1 to 5';
  const ends = day.split('-');
  if (ends.length > 2) return `expected a value or a range like 1-5 in ${range}`;
  if (ends.length === 2 && ends.some((end) => /L$/i.test(end))) return 'L cannot be an end of a range';
  const values: number[] = [];
  for (const end of ends) {
    if (end === '*' || end === '?' || (field.last && end === 'L' && nth === undefined)) continue;
    const value = numberOf(field.last ? end.replace(/L$/i, '') : end, field);
    if (value === null) return expected;
    if (value < field.min || value > field.max) return `out of range ${range}`;
    values.push(value);
  }
  if (values.length === 2 && values[0]! > values[1]!) return `the range runs backwards (${day})`;
  return null;
}

function numberOf(text: string, field: CronField): number | null {
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return field.min + index;
  return /^\d+$/.test(text) ? Number(text) : null;
}
