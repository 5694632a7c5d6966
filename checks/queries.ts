/** Small query shapes the checks share. */
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { AlertSeverity } from '../db/alerts';
import type { Database } from '../db/schema';
import type { CheckContext, CheckDefinition } from './types';

type Figure = string | number | bigint | null;

/** One row of numbers from a builder; count and numeric come back from pg as strings. */
export async function numbers<K extends string>(query: { executeTakeFirst(): Promise<Record<K, Figure> | undefined> }): Promise<Record<K, number>> {
  const row = (await query.executeTakeFirst()) ?? ({} as Record<K, Figure>);
  return Object.fromEntries(Object.entries<Figure>(row).map(([k, v]) => [k, v === null ? 0 : Number(v)])) as Record<K, number>;
}

export const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
export const fmt = (n: number) => n.toLocaleString('en-US');

/** "At least `min(ctx)` rows of `table` (matching `where`)". */
export function atLeastRows<T extends keyof Database & string>(o: {
  name: string;
  severity: AlertSeverity;
  table: T;
  what: string;
  where?: (eb: ExpressionBuilder<Database, T>) => Expression<SqlBool>;
  min: (ctx: CheckContext) => number;
}): CheckDefinition {
  return {
    name: o.name,
    severity: o.severity,
    tables: [o.table],
    async run(db, ctx) {
      const min = o.min(ctx);
      // kysely cannot type a builder over a generic table name: the caller's `where` was checked against T.
      const { n } = await numbers(
        db.selectFrom(o.table as keyof Database & string)
          .select((eb) => eb.fn.countAll().as('n'))
          .$if(o.where !== undefined, (q) => q.where(o.where as (eb: ExpressionBuilder<Database, keyof Database>) => Expression<SqlBool>)),
      );
      return { ok: n >= Math.max(min, 1), expected: `at least ${fmt(Math.max(min, 1))} ${o.what}`, found: `${fmt(n)} ${o.what}` };
    },
  };
}
