/**
 * The SalesMap SQLite schema the report reads: organisations (the counterparties) and their
 * deals. Dates are ISO 8601 text, as SQLite's date functions expect; amounts are whole won.
 * The report reads only the columns in REQUIRED_COLUMNS; others may exist and are ignored.
 */

export const SALESMAP_DDL = `
CREATE TABLE IF NOT EXISTS organizations (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  industry      TEXT,
  credit_rating TEXT,                 -- external rating, AAA … D; NULL when unrated
  created_at    TEXT NOT NULL         -- YYYY-MM-DD
);
CREATE TABLE IF NOT EXISTS deals (
  id                  TEXT PRIMARY KEY,
  organization_id     TEXT NOT NULL REFERENCES organizations(id),
  title               TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
  amount_krw          INTEGER NOT NULL CHECK (amount_krw >= 0),
  created_at          TEXT NOT NULL,  -- YYYY-MM-DD
  expected_close_date TEXT,           -- YYYY-MM-DD; open deals
  last_activity_at    TEXT,           -- YYYY-MM-DD of the last call, meeting or mail; NULL = never touched
  closed_at           TEXT,           -- YYYY-MM-DD; won and lost deals
  payment_due_date    TEXT,           -- YYYY-MM-DD; won deals: when the invoice is due
  paid_at             TEXT            -- YYYY-MM-DD; won deals: NULL while unpaid
);
CREATE INDEX IF NOT EXISTS deals_by_organization ON deals (organization_id);
`;

export const REQUIRED_COLUMNS: Record<'organizations' | 'deals', readonly string[]> = {
  organizations: ['id', 'name', 'industry', 'credit_rating', 'created_at'],
  deals: ['id', 'organization_id', 'status', 'amount_krw', 'created_at', 'expected_close_date', 'last_activity_at', 'closed_at', 'payment_due_date', 'paid_at'],
};

/** Ratings below investment grade (BBB-), which add to a counterparty's risk. */
export const SPECULATIVE_RATINGS: ReadonlySet<string> = new Set(['BB+', 'BB', 'BB-', 'B+', 'B', 'B-', 'CCC', 'CC', 'C', 'D']);
