/**
 * The counterparty-risk aggregation, in SQL on the SQLite snapshot (sql.js: SQLite compiled to
 * WebAssembly, so no native build), then a score per counterparty.
 *
 * Score, 0–100 (higher = riskier), from the state of the deals as of the report date:
 *   exposure concentration  30 × min(1, share of all open amounts / 20 %)
 *   receivables past due    25 at ≥ 90 days, 15 at ≥ 30 days, 5 at ≥ 1 day (won, unpaid, due date passed)
 *   overdue pipeline        15 × open deals past their expected close date / open deals
 *   stalled pipeline        15 × open deals without activity for STALL_DAYS / open deals
 *   recent losses           10 × lost / (won + lost), deals closed in the last 90 days
 *   credit                   5 for a speculative-grade rating, 3 when unrated
 * Level: HIGH ≥ 60, MEDIUM ≥ 35, else LOW.
 */
import fs from 'node:fs/promises';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import type { CounterpartyMetrics, CounterpartyRisk, RiskAggregate, RiskLevel } from './report';
import { REQUIRED_COLUMNS, SPECULATIVE_RATINGS } from './schema';

export const STALL_DAYS = 30;
export const TOP_COUNTERPARTIES = 20;

let sqlJs: Promise<SqlJsStatic> | undefined;
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs();
  return sqlJs;
}

export class SchemaError extends Error {
  constructor(readonly problems: string[]) {
    super(`the SalesMap DB does not have the expected schema: ${problems.join('; ')}`);
    this.name = 'SchemaError';
  }
}

export async function openSqliteFile(file: string): Promise<Database> {
  const SQL = await loadSqlJs();
  return new SQL.Database(await fs.readFile(file));
}

export function checkSchema(db: Database): void {
  const problems: string[] = [];
  for (const [table, required] of Object.entries(REQUIRED_COLUMNS)) {
    const cols = new Set(rows<{ name: string }>(db, `SELECT name FROM pragma_table_info(:t)`, { ':t': table }).map((r) => r.name));
    if (cols.size === 0) {
      problems.push(`table ${table} is missing`);
      continue;
    }
    const missing = required.filter((c) => !cols.has(c));
    if (missing.length) problems.push(`${table} lacks ${missing.join(', ')}`);
  }
  if (problems.length) throw new SchemaError(problems);
}

function rows<T>(db: Database, sql: string, params: Record<string, string | number>): T[] {
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    const out: T[] = [];
    while (stmt.step()) out.push(stmt.getAsObject() as T);
    return out;
  } finally {
    stmt.free();
  }
}

/** One row of AGGREGATE_SQL: the metrics but the exposure share, which needs every row. */
interface Row extends Omit<CounterpartyMetrics, 'exposure_share'>, Pick<CounterpartyRisk, 'organization_id' | 'name' | 'industry' | 'credit_rating'> {}

// Deals are taken as they stood on the report date: created by then; open unless closed by then.
const AGGREGATE_SQL = `
WITH d AS (
  SELECT organization_id, amount_krw, expected_close_date, last_activity_at, payment_due_date, paid_at, closed_at,
         CASE WHEN status IN ('won', 'lost') AND closed_at IS NOT NULL AND closed_at <= :as_of THEN status ELSE 'open' END AS state
  FROM deals
  WHERE created_at <= :as_of
)
SELECT o.id AS organization_id, o.name, o.industry, o.credit_rating,
  COALESCE(SUM(d.state = 'open'), 0) AS open_deals,
  COALESCE(SUM(CASE WHEN d.state = 'open' THEN d.amount_krw END), 0) AS open_amount_krw,
  COALESCE(SUM(d.state = 'open' AND d.expected_close_date < :as_of), 0) AS overdue_deals,
  COALESCE(SUM(d.state = 'open' AND (d.last_activity_at IS NULL OR julianday(:as_of) - julianday(d.last_activity_at) >= :stall_days)), 0) AS stalled_deals,
  COALESCE(SUM(d.state = 'won' AND d.closed_at > date(:as_of, '-90 days')), 0) AS won_90d,
  COALESCE(SUM(d.state = 'lost' AND d.closed_at > date(:as_of, '-90 days')), 0) AS lost_90d,
  COALESCE(SUM(d.state = 'won' AND d.payment_due_date < :as_of AND (d.paid_at IS NULL OR d.paid_at > :as_of)), 0) AS overdue_receivables,
  COALESCE(SUM(CASE WHEN d.state = 'won' AND d.payment_due_date < :as_of AND (d.paid_at IS NULL OR d.paid_at > :as_of) THEN d.amount_krw END), 0) AS overdue_receivable_krw,
  COALESCE(MAX(CASE WHEN d.state = 'won' AND d.payment_due_date < :as_of AND (d.paid_at IS NULL OR d.paid_at > :as_of)
                    THEN CAST(julianday(:as_of) - julianday(d.payment_due_date) AS INTEGER) END), 0) AS max_days_past_due
FROM organizations o
JOIN d ON d.organization_id = o.id
WHERE o.created_at <= :as_of
GROUP BY o.id, o.name, o.industry, o.credit_rating
`;

export function aggregateRisk(db: Database, asOf: string): RiskAggregate {
  checkSchema(db);
  const all = rows<Row>(db, AGGREGATE_SQL, { ':as_of': asOf, ':stall_days': STALL_DAYS });
  const totalOpen = all.reduce((s, r) => s + r.open_amount_krw, 0);
  const scored: CounterpartyRisk[] = all
    .filter((r) => r.open_deals > 0 || r.overdue_receivables > 0)
    .map((r) => {
      const share = totalOpen > 0 ? r.open_amount_krw / totalOpen : 0;
      const score = riskScore(r, share);
      return {
        organization_id: r.organization_id,
        name: r.name,
        industry: r.industry,
        credit_rating: r.credit_rating,
        risk_score: score,
        risk_level: levelOf(score),
        metrics: {
          open_deals: r.open_deals,
          open_amount_krw: r.open_amount_krw,
          exposure_share: Math.round(share * 10_000) / 10_000,
          overdue_deals: r.overdue_deals,
          stalled_deals: r.stalled_deals,
          won_90d: r.won_90d,
          lost_90d: r.lost_90d,
          overdue_receivables: r.overdue_receivables,
          overdue_receivable_krw: r.overdue_receivable_krw,
          max_days_past_due: r.max_days_past_due,
        },
      };
    })
    .sort((a, b) => b.risk_score - a.risk_score || b.metrics.open_amount_krw - a.metrics.open_amount_krw || a.organization_id.localeCompare(b.organization_id));
  const byLevel: Record<RiskLevel, number> = { HIGH: 0, MEDIUM: 0, LOW: 0 };
  for (const c of scored) byLevel[c.risk_level]++;
  return {
    as_of: asOf,
    summary: {
      organizations: scored.length,
      open_deals: scored.reduce((s, c) => s + c.metrics.open_deals, 0),
      open_amount_krw: totalOpen,
      overdue_receivable_krw: scored.reduce((s, c) => s + c.metrics.overdue_receivable_krw, 0),
      by_level: byLevel,
    },
    counterparties: scored.slice(0, TOP_COUNTERPARTIES),
  };
}

function riskScore(r: Row, share: number): number {
  const closed = r.won_90d + r.lost_90d;
  const parts = [
    30 * Math.min(1, share / 0.2),
    r.max_days_past_due >= 90 ? 25 : r.max_days_past_due >= 30 ? 15 : r.max_days_past_due >= 1 ? 5 : 0,
    r.open_deals > 0 ? (15 * r.overdue_deals) / r.open_deals : 0,
    r.open_deals > 0 ? (15 * r.stalled_deals) / r.open_deals : 0,
    closed > 0 ? (10 * r.lost_90d) / closed : 0,
    r.credit_rating === null ? 3 : SPECULATIVE_RATINGS.has(r.credit_rating.toUpperCase()) ? 5 : 0,
  ];
  return Math.round(parts.reduce((a, b) => a + b, 0) * 10) / 10;
}

function levelOf(score: number): RiskLevel {
  return score >= 60 ? 'HIGH' : score >= 35 ? 'MEDIUM' : 'LOW';
}

/** Reads the snapshot file and aggregates it; the in-memory database is always freed. */
export async function aggregateSnapshot(file: string, asOf: string): Promise<RiskAggregate> {
  const db = await openSqliteFile(file);
  try {
    return aggregateRisk(db, asOf);
  } finally {
    db.close();
  }
}
