import { Kysely, PostgresDialect } from 'kysely';
import { Pool, types } from 'pg';
import type { Database } from './schema';

// DATE columns stay 'YYYY-MM-DD' strings: converting them to JS Dates would shift them by
// the process time zone, and trading dates are calendar dates, not instants.
types.setTypeParser(types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** How long a caller waits for a free connection before its query fails; default: forever (pg's default). */
  connectionWaitMs?: number;
  /**
   * An idle connection that dies (PostgreSQL restarted, or npm run dev's Ctrl-C reached it first)
   * is reported here. Without a listener pg would throw it as an uncaught error and end the process.
   */
  onIdleError?: (err: Error) => void;
}

/** The database and the pool behind it, for the processes that watch their pool (workers/db-pool-watch.ts). */
export function createPooledDb(databaseUrl: string, o: PoolOptions = {}): { db: Db; pool: Pool } {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: o.max ?? 10,
    application_name: o.applicationName ?? 'compass',
    ...(o.connectionWaitMs ? { connectionTimeoutMillis: o.connectionWaitMs } : {}),
  });
  pool.on('error', o.onIdleError ?? (() => {}));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}

export function createDb(databaseUrl: string, maxConnections = 10): Db {
  return createPooledDb(databaseUrl, { max: maxConnections }).db;
}
