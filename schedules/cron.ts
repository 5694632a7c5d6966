/**
 * Checks a standard 5-field cron expression (minute hour day-of-month month day-of-week) before
 * it reaches the Temporal server, so that a typo in REPORT_CRON stops `schedules apply` and the
 * worker's configuration with a message naming the field, instead of failing on the server or,
 * worse, being read as some other schedule.
 *
 * Accepted per field: `*`, a value, a range `a-b`, a step `*\/n` or `a-b/n` or `a/n`, and lists of
 * these joined by commas. Months and weekdays also take English names (JAN, MON); weekday 7 is
 * Sunday as in Vixie cron. Macros such as `@daily` and 6- or 7-field forms are refused.
 */

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

function valueOf(token: string, rule: FieldRule): number | string {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= rule.min && n <= rule.max ? n : `"${token}" is out of range ${rule.min}-${rule.max}`;
  }
  const i = rule.names?.indexOf(token.toUpperCase()) ?? -1;
  if (i >= 0) return rule.name === 'month' ? i + 1 : i;
  return `"${token}" is not a number${rule.names ? ' or a name' : ''}`;
}

function fieldProblem(field: string, rule: FieldRule): string | null {
  for (const item of field.split(',')) {
    if (item === '') return 'has an empty list item';
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) return `"${item}" has more than one "/"`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return `step "${step}" must be a positive whole number`;
    if (range === '*') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2) return `"${range}" is not a value or a range`;
    const values = bounds.map((b) => valueOf(b, rule));
    const bad = values.find((v) => typeof v === 'string');
    if (bad !== undefined) return bad as string;
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) return `range "${range}" runs backwards`;
  }
  return null;
}

/** Problems with `expr`, one message per problem; empty when it is a valid 5-field cron expression. */
export function cronProblems(expr: string): string[] {
  const trimmed = expr.trim();
  if (trimmed.startsWith('@')) return [`"${trimmed}": macros such as @daily are not accepted; write the 5 fields (e.g. "0 8 * * *")`];
  const fields = trimmed.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return [`"${trimmed}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron expression has 5: minute hour day-of-month month day-of-week (e.g. "0 8 * * *")`];
  }
  const problems: string[] = [];
  fields.forEach((f, i) => {
    const p = fieldProblem(f, FIELDS[i]!);
    if (p) problems.push(`"${trimmed}" field ${i + 1} (${FIELDS[i]!.name}): ${p}`);
  });
  return problems;
}
