/**
 * Turning the rows of an answer into typed rows, the same way for every source: one row that
 * does not match fails the whole call, naming the row, so nothing partial is ever returned
 * (a half-loaded market day would look complete to everything downstream).
 */
import type { z } from 'zod';
import { MALFORMED_CLASS, SourceError } from './errors';

export function malformedAnswer(source: string, endpoint: string, what: string): SourceError {
  return new SourceError(source, MALFORMED_CLASS, `${endpoint}: malformed answer: ${what}`, 'MALFORMED');
}

/** Validates each row with `schema`, then maps it; a reader that throws in `map` fails the row too. */
export function mapRows<S extends z.ZodTypeAny, R>(source: string, endpoint: string, rows: unknown[], schema: S, map: (row: z.infer<S>) => R): R[] {
  return rows.map((raw, i) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw malformedAnswer(source, endpoint, `row ${i}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
    }
    try {
      return map(parsed.data);
    } catch (err) {
      throw malformedAnswer(source, endpoint, `row ${i}: ${(err as Error).message}`);
    }
  });
}
