/**
 * One statement per load for the wide tables of the weekly and monthly chains: the rows travel
 * as one jsonb parameter (`jsonb_to_recordset`), are upserted on their natural key, and a row
 * is rewritten only when a value changed, so a repeated load writes nothing. The table specs are
 * constants of the db modules, never input, so their names go into the SQL as they are; they are
 * typed against the schema, so a column renamed in a migration fails to compile here.
 *
 * Also the small pieces the typed builders of db/ share for bulk work: parallel arrays as a
 * table (`unnest`), and the column check of the raw statements kept for speed.
 */
import { type AliasedRawBuilder, sql } from 'kysely';
import type { Db } from './database';
import type { Database } from './schema';

type TableName = keyof Database & string;
type ColumnOf<T extends TableName> = keyof Database[T] & string;

/**
 * The columns a raw statement names, by table: a table or column the schema lacks fails to
 * compile. Only the statements kept raw for a benchmark declare one, next to their SQL.
 */
export type RawStatementColumns<T extends { [K in keyof T]: K extends TableName ? ColumnOf<K> : never }> = T;

export interface UpsertSpec<T extends TableName = TableName> {
  table: T;
  /** Column → PostgreSQL type, in insert order; the row objects use the same keys. */
  columns: Partial<Record<ColumnOf<T>, string>>;
  /** The natural key (a primary key or a unique index). */
  key: readonly ColumnOf<T>[];
  /** The predicate of a partial unique index, e.g. "source = 'dart'". */
  keyWhere?: string;
  /** Columns never overwritten on conflict (e.g. first_seen_at). */
  keep?: readonly ColumnOf<T>[];
  /** Columns a null does not overwrite (a source that lacks them keeps what another found). */
  coalesce?: readonly ColumnOf<T>[];
  /** Set to now() whenever a row is written. */
  touch?: ColumnOf<T>;
  /** An extra condition for overwriting, on the existing row `t` and `EXCLUDED` (e.g. not older data). */
  onlyIf?: string;
}

/** A spec of any one table (a union over the tables, so that `key`, `keep`, … are checked against that table). */
type AnyUpsertSpec = { [T in TableName]: UpsertSpec<T> }[TableName];

/**
 * The spec, with every key of `columns` a column of its table: a spec constant (not a literal at
 * the call) gets no excess-property check, so a renamed column would otherwise pass.
 */
type CheckedSpec<S extends AnyUpsertSpec> = S & { columns: { [K in Exclude<keyof S['columns'], ColumnOf<S['table']>>]: never } };

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

/**
 * Kept raw: one statement serves every spec, with a `jsonb_to_recordset` record type and
 * `RETURNING (xmax = 0)` that a builder cannot write; `npm run bench -- initial-load` times it
 * through the weekly and monthly chains' loads. The spec's names are checked against the schema
 * (UpsertSpec, CheckedSpec), so a renamed column still fails to compile.
 */
export async function bulkUpsert<S extends AnyUpsertSpec>(db: Db, spec: CheckedSpec<S>, rows: readonly Record<string, unknown>[]): Promise<UpsertCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const types: Record<string, string | undefined> = spec.columns;
  const key: readonly string[] = spec.key;
  const keep: readonly string[] = spec.keep ?? [];
  const coalesced: readonly string[] = spec.coalesce ?? [];
  const cols = Object.keys(types);
  const recordType = cols.map((c) => `${c} ${types[c]}`).join(', ');
  const changing = cols.filter((c) => !key.includes(c) && !keep.includes(c));
  const value = (c: string) => (coalesced.includes(c) ? `coalesce(EXCLUDED.${c}, t.${c})` : `EXCLUDED.${c}`);
  const set = [...changing.map((c) => `${c} = ${value(c)}`), ...(spec.touch ? [`${spec.touch} = now()`] : [])].join(', ');
  const distinct = changing.length
    ? `(${changing.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${changing.map(value).join(', ')})`
    : 'false';
  const where = spec.onlyIf ? `${distinct} AND (${spec.onlyIf})` : distinct;
  const list = cols.join(', ');
  const r = await sql<{ inserted: boolean }>`
    INSERT INTO ${sql.raw(spec.table)} AS t (${sql.raw(list)})
    SELECT ${sql.raw(list)} FROM jsonb_to_recordset(${JSON.stringify(uniqueByKey(rows, key))}::jsonb) AS x(${sql.raw(recordType)})
    ON CONFLICT (${sql.raw(key.join(', '))}) ${sql.raw(spec.keyWhere ? `WHERE ${spec.keyWhere}` : '')}
    DO UPDATE SET ${sql.raw(set)} WHERE ${sql.raw(where)}
    RETURNING (xmax = 0) AS inserted`.execute(db);
  const inserted = r.rows.filter((x) => x.inserted).length;
  return { inserted, updated: r.rows.length - inserted };
}

/** The PostgreSQL element types of the arrays `unnestTable` takes. */
type ArrayElementType = 'text' | 'date' | 'bigint' | 'numeric' | 'integer' | 'boolean';

/**
 * Parallel arrays as a table for a builder's FROM: `unnest($1::text[], $2::date[], …) AS alias(col, …)`.
 * One parameter per column however many rows, where a VALUES list would take one per cell.
 */
export function unnestTable<A extends string, C extends Record<string, readonly [ArrayElementType, readonly unknown[]]>>(
  alias: A,
  columns: C,
): AliasedRawBuilder<{ [K in keyof C]: C[K][1][number] }, A> {
  const names = Object.keys(columns);
  const arrays = names.map((n) => sql`${columns[n]![1]}::${sql.raw(columns[n]![0])}[]`);
  return sql<{ [K in keyof C]: C[K][1][number] }>`unnest(${sql.join(arrays)})`.as<A>(sql`${sql.id(alias)}(${sql.join(names.map((n) => sql.id(n)))})`);
}
