/**
 * The database's types, as kysely sees them. Every table and view comes from db/generated/tables.ts,
 * which `npm run db:types` writes from a database migrated to the latest schema (kysely-codegen);
 * tests/schema-types.test.ts fails when the migrations and that file disagree. Column names follow the
 * seeds (seed 001 Part 4.2 checks run as written).
 */
import type { DB } from './generated/tables';

export type Database = DB;

// Unions the migrations' CHECK (col IN (...)) constraints allow: named here for the modules that take them as arguments.
export type LedgerStatus = Database['price_load_ledger']['status'];
export type StepStatus = Database['data_collection_log']['status'];
