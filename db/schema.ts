/** Kysely table types. Column names follow the seeds (seed 001 Part 4.2 checks run as written). */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateCol = ColumnType<string, string, string>;
type Num = ColumnType<number | null, number | null | undefined, number | null>;

export interface StocksTable {
  ticker: string;
  name: string;
  market: string;
  isin: string | null;
  is_active: ColumnType<boolean, boolean | undefined, boolean>;
  listed_shares: ColumnType<string | null, number | null | undefined, number | null>;
  last_trade_date: ColumnType<string | null, string | null | undefined, string | null>;
  compass_score: Num;
  compass_financial_score: Num;
  compass_valuation_score: Num;
  compass_technical_score: Num;
  compass_risk_score: Num;
  compass_score_date: ColumnType<string | null, string | null | undefined, string | null>;
  compass_updated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StockPriceDailyTable {
  ticker: string;
  trade_date: DateCol;
  market: string;
  open_price: ColumnType<string, number, number>;
  high_price: ColumnType<string, number, number>;
  low_price: ColumnType<string, number, number>;
  close_price: ColumnType<string, number, number>;
  change_amount: ColumnType<string, number, number>;
  change_rate: ColumnType<string | null, number | null, number | null>;
  volume: ColumnType<string, number, number>;
  trading_value: ColumnType<string, number, number>;
  market_cap: ColumnType<string | null, number | null, number | null>;
  listed_shares: ColumnType<string | null, number | null, number | null>;
  source: string;
  loaded_at: Timestamp;
}

export type LedgerStatus = 'loaded' | 'no-data' | 'failed';

export interface PriceLoadLedgerTable {
  source: string;
  trade_date: DateCol;
  status: LedgerStatus;
  row_count: number;
  attempts: ColumnType<number, number | undefined, number>;
  workflow_id: string | null;
  error: string | null;
  updated_at: Timestamp;
}

export interface CompassScoreDailyTable {
  ticker: string;
  score_date: DateCol;
  technical_score: Num;
  risk_score: Num;
  financial_score: Num;
  valuation_score: Num;
  total_score: Num;
  computed_at: Timestamp;
}

export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface DataCollectionLogTable {
  id: Generated<string>;
  workflow_id: string;
  run_id: string;
  chain: string;
  step: string;
  trading_date: ColumnType<string | null, string | null | undefined, string | null>;
  status: StepStatus;
  attempt: number;
  started_at: Timestamp;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  rows_in: number | null;
  rows_written: number | null;
  error: string | null;
  details: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface Database {
  stocks: StocksTable;
  stock_price_daily: StockPriceDailyTable;
  price_load_ledger: PriceLoadLedgerTable;
  compass_score_daily: CompassScoreDailyTable;
  data_collection_log: DataCollectionLogTable;
}
