/**
 * One statement per load for the wide tables of the weekly and monthly chains: the rows travel
 * as one jsonb parameter (`jsonb_to_recordset`), are upserted on their natural key, and a row
 * is rewritten only when a value changed, so a repeated load writes nothing. The table specs are
 * constants of the db modules, never input, so their names go into the SQL as they are.
 */
import { sql } from 'kysely';
import type { Db } from './database';

export interface UpsertSpec {
  table: string;
  /** Column → PostgreSQL type, in insert order; the row objects use the same keys. */
  columns: Record<string, string>;
  /** The natural key (a primary key or a unique index). */
  key: readonly string[];
  /** The predicate of a partial unique index, e.g. "source = 'dart'". */
  keyWhere?: string;
  /** Columns never overwritten on conflict (e.g. first_seen_at). */
  keep?: readonly string[];
  /** Columns a null does not overwrite (a source that lacks them keeps what another found). */
  coalesce?: readonly string[];
  /** Set to now() whenever a row is written. */
  touch?: string;
  /** An extra condition for overwriting, on the existing row `t` and `EXCLUDED` (e.g. not older data). */
  onlyIf?: string;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/** The rows, one per key (the last one wins), so that one statement never touches a row twice. */
export function uniqueByKey<T extends Record<string, unknown>>(rows: readonly T[], key: readonly string[]): T[] {
  const byKey = new Map<string, T>();
  for (const r of rows) byKey.set(JSON.stringify(key.map((k) => r[k] ?? null)), r);
  return [...byKey.values()];
}

export async function bulkUpsert(db: Db, spec: UpsertSpec, rows: readonly Record<string, unknown>[]): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const cols = Object.keys(spec.columns);
  const recordType = cols.map((c) => `${c} ${spec.columns[c]}`).join(', ');
  const changing = cols.filter((c) => !spec.key.includes(c) && !(spec.keep ?? []).includes(c));
  const value = (c: string) => ((spec.coalesce ?? []).includes(c) ? `coalesce(EXCLUDED.${c}, t.${c})` : `EXCLUDED.${c}`);
  const set = [...changing.map((c) => `${c} = ${value(c)}`), ...(spec.touch ? [`${spec.touch} = now()`] : [])].join(', ');
  const distinct = changing.length
    ? `(${changing.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${changing.map(value).join(', ')})`
    : 'false';
  const where = spec.onlyIf ? `${distinct} AND (${spec.onlyIf})` : distinct;
  const list = cols.join(', ');
  const r = await sql<{ inserted: boolean }>`
    INSERT INTO ${sql.raw(spec.table)} AS t (${sql.raw(list)})
    SELECT ${sql.raw(list)} FROM jsonb_to_recordset(${JSON.stringify(uniqueByKey(rows, spec.key))}::jsonb) AS x(${sql.raw(recordType)})
    ON CONFLICT (${sql.raw(spec.key.join(', '))}) ${sql.raw(spec.keyWhere ? `WHERE ${spec.keyWhere}` : '')}
    DO UPDATE SET ${sql.raw(set)} WHERE ${sql.raw(where)}
    RETURNING (xmax = 0) AS inserted`.execute(db);
  const inserted = r.rows.filter((x) => x.inserted).length;
  return { inserted, updated: r.rows.length - inserted };
}
