/** Small SQL shapes the checks share. */
import { type RawBuilder, sql } from 'kysely';
import type { AlertSeverity } from '../db/alerts';
import type { Db } from '../db/database';
import type { CheckContext, CheckDefinition } from './types';

/** One row of numbers; bigint and numeric come back from pg as strings. */
export async function numbers<K extends string>(db: Db, query: RawBuilder<Record<K, string | number | null>>): Promise<Record<K, number>> {
  const row = (await query.execute(db)).rows[0] ?? ({} as Record<K, string | number | null>);
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? 0 : Number(v)])) as Record<K, number>;
}

export const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
export const fmt = (n: number) => n.toLocaleString('en-US');

/** "At least `min(ctx)` rows of `table` (matching `where`)". */
export function atLeastRows(o: {
  name: string;
  severity: AlertSeverity;
  table: string;
  what: string;
  where?: RawBuilder<unknown>;
  min: (ctx: CheckContext) => number;
}): CheckDefinition {
  return {
    name: o.name,
    severity: o.severity,
    tables: [o.table],
    async run(db, ctx) {
      const min = o.min(ctx);
      const { n } = await numbers(db, sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(o.table)} WHERE ${o.where ?? sql`true`}`);
      return { ok: n >= Math.max(min, 1), expected: `at least ${fmt(Math.max(min, 1))} ${o.what}`, found: `${fmt(n)} ${o.what}` };
    },
  };
}
