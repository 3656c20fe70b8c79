// Checks a cron expression's syntax (the subset cron-parser, BullMQ's scheduler, reads) so a typo
// is a config error with the field named, not a schedule that silently never fires.

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names allowed instead of numbers, the first standing for `min`. */
  names?: readonly string[];
  /** `L` (last day) allowed: day of month `L`, day of week `L` / `5L`. */
  last?: boolean;
  /** `n#k` (k-th weekday n of the month) allowed. */
  nth?: boolean;
}

const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const weekdays = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const second: CronField = { name: 'second', min: 0, max: 59 };
const fiveFields: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, last: true },
  { name: 'month', min: 1, max: 12, names: months },
  { name: 'day of week', min: 0, max: 7, names: weekdays, last: true, nth: true },
];

/** Returns what is wrong with `expression`, or null when it is a valid 5- or 6-field cron expression. */
export function cronProblem(expression: string): string | null {
  const parts = expression
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '');
  if (parts.length !== 5 && parts.length !== 6) {
    return (
      'expected a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 ' +
      `(a second first), found ${parts.length} field${parts.length === 1 ? '' : 's'} in "${expression}"`
    );
  }
  const fields = parts.length === 6 ? [second, ...fiveFields] : fiveFields;
  for (const [i, part] of parts.entries()) {
    const field = fields[i]!;
    for (const item of part.split(',')) {
      const reason = itemProblem(item, field);
      if (reason !== null) return `${field.name} "${item}" in "${expression}": ${reason}`;
    }
  }
  return null;
}

function itemProblem(item: string, field: CronField): string | null {
  const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}`;
  if (item === '') return 'empty list item';
  const [base = '', step, extra] = item.split('/');
  if (extra !== undefined) return 'more than one "/" step';
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= field.max)) {
    return `the step after "/" must be a whole number from 1 to ${field.max}`;
  }
  if (base === '*' || base === '?') return null;
  if (field.last && step === undefined) {
    if (base === 'L') return null;
    if (field.nth && /^\d+L$/i.test(base)) return valueProblem(base.slice(0, -1), field, range);
  }
  if (field.nth && step === undefined && base.includes('#')) {
    const [day = '', nth = ''] = base.split('#');
    if (!/^[1-5]$/.test(nth)) return 'the week after "#" must be 1 to 5';
    return valueProblem(day, field, range);
  }
  const ends = base.split('-');
  if (ends.length > 2) return `expected a value or a range like 1-5 in ${range}`;
  const values: number[] = [];
  for (const end of ends) {
    const problem = valueProblem(end, field, range);
    if (problem !== null) return problem;
    values.push(cronValue(end, field));
  }
  if (values.length === 2 && values[0]! > values[1]!) return `the range runs backwards (${base})`;
  return null;
}

function cronValue(text: string, field: CronField): number {
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? field.min + index : Number(text);
}

function valueProblem(text: string, field: CronField, range: string): string | null {
  if (field.names?.includes(text.toUpperCase())) return null;
  if (!/^\d+$/.test(text)) return `expected a number in ${range}, *, a range, a step or a list`;
  const value = Number(text);
  if (value < field.min || value > field.max) return `out of range ${range}`;
  return null;
}
