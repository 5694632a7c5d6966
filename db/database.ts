import { Kysely, PostgresDialect } from 'kysely';
import { Pool, types } from 'pg';
import type { Database } from './schema';

// DATE columns stay 'YYYY-MM-DD' strings: converting them to JS Dates would shift them by
// the process time zone, and trading dates are calendar dates, not instants.
types.setTypeParser(types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;

export function createDb(databaseUrl: string, maxConnections = 10): Db {
  const pool = new Pool({ connectionString: databaseUrl, max: maxConnections, application_name: 'compass' });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
