/**
 * Compose variable interpolation (https://docs.docker.com/reference/compose-file/interpolation/), for
 * reading docker-compose.yml where compose-go (tests/tools/compose-check) cannot run: applied, as Compose
 * does, to every string value of the parsed YAML (never to keys).
 *
 *   $VAR, ${VAR}        the value; empty when unset
 *   ${VAR:-default}     default when VAR is unset or empty;  ${VAR-default} when unset
 *   ${VAR:?message}     error when VAR is unset or empty;    ${VAR?message} when unset
 *   ${VAR:+other}       other when VAR is set and not empty; ${VAR+other} when set
 *   $$                  a literal $
 * Defaults, alternatives and messages may hold further ${…}.
 */

export type Variables = Record<string, string | undefined>;

export class InterpolationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterpolationError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;

/** The end of the `${…}` whose body starts at `from`: the index of its closing brace, nested `${…}` skipped. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') i++;
    else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function substitute(name: string, op: string | undefined, operand: string, vars: Variables, where: string): string {
  const value = vars[name];
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  const operandValue = () => interpolateString(operand, vars, where);
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
      return nonEmpty ? value : operandValue();
    case '-':
      return set ? value : operandValue();
    case ':+':
      return nonEmpty ? operandValue() : '';
    case '+':
      return set ? operandValue() : '';
    case ':?':
    case '?':
      if (op === ':?' ? nonEmpty : set) return value!;
      throw new InterpolationError(`${where ? `${where}: ` : ''}required variable ${name} is missing a value${operand ? `: ${operandValue()}` : ''}`);
    default:
      throw new InterpolationError(`${where}: unknown operator ${op}`);
  }
}

export function interpolateString(s: string, vars: Variables, where = ''): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$') {
      out += s[i];
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const end = closingBrace(s, i + 2);
      if (end < 0) throw new InterpolationError(`${where}: unterminated \${ in ${JSON.stringify(s)}`);
      const body = s.slice(i + 2, end);
      const name = NAME.exec(body)?.[0];
      if (!name) throw new InterpolationError(`${where}: invalid interpolation ${JSON.stringify(`\${${body}}`)}`);
      const rest = body.slice(name.length);
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (rest && !op) throw new InterpolationError(`${where}: invalid interpolation ${JSON.stringify(`\${${body}}`)}`);
      out += substitute(name, op, op ? rest.slice(op.length) : '', vars, where);
      i = end;
    } else {
      const name = NAME.exec(s.slice(i + 1))?.[0];
      if (!name) throw new InterpolationError(`${where}: a lone $ in ${JSON.stringify(s)} (write $$ for a literal $)`);
      out += vars[name] ?? '';
      i += name.length;
    }
  }
  return out;
}

/** A copy of a parsed Compose document with every string value interpolated; errors name the value's path. */
export function interpolate<T>(doc: T, vars: Variables, path = ''): T {
  if (typeof doc === 'string') return interpolateString(doc, vars, path) as T;
  if (Array.isArray(doc)) return doc.map((v, i) => interpolate(v, vars, `${path}[${i}]`)) as T;
  if (doc && typeof doc === 'object') {
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, interpolate(v, vars, path ? `${path}.${k}` : k)])) as T;
  }
  return doc;
}
