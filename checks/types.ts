/**
 * Blocking data checks (seed 001 Part 4.2): each says what it expected and what it found, so a
 * failure explains itself in the stored result, the alert and the workflow's failure message.
 */
import type { IsoDate } from '../calendar/trading-calendar';
import type { AppConfig } from '../config/env';
import type { AlertSeverity } from '../db/alerts';
import type { Db } from '../db/database';

export const DATA_GROUPS = ['prices', 'stocks', 'etfs', 'financials', 'products', 'bonds', 'dividends', 'score'] as const;
export type DataGroup = (typeof DATA_GROUPS)[number];

export type CheckSettings = Pick<AppConfig,
  | 'CHECK_PRICE_COVERAGE' | 'CHECK_STOCKS_MIN' | 'CHECK_STOCKS_MAX' | 'CHECK_ETFS_MIN' | 'CHECK_FINANCIALS_COVERAGE'
  | 'CHECK_BONDS_MIN' | 'CHECK_DIVIDENDS_MIN' | 'CHECK_SCORE_COVERAGE'>;

export interface CheckContext {
  asOf: IsoDate;
  settings: CheckSettings;
}

export interface CheckOutcome {
  ok: boolean;
  expected: string;
  found: string;
}

export interface CheckDefinition {
  name: string;
  /** The alert's severity when this check fails. */
  severity: AlertSeverity;
  /** Tables (or views) the SQL reads; a missing one fails the check as "table missing". */
  tables: readonly string[];
  run(db: Db, ctx: CheckContext): Promise<CheckOutcome>;
}

export function isDataGroup(v: string): v is DataGroup {
  return (DATA_GROUPS as readonly string[]).includes(v);
}
