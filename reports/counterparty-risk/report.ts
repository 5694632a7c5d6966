/** The shape of a counterparty-risk report: what the cache file holds and the API serves. */
import type { ReportRunResult } from '../../shared/counterparty-risk';

export type RiskLevel = 'HIGH' | 'MEDIUM' | 'LOW';

export interface CounterpartyMetrics {
  open_deals: number;
  open_amount_krw: number;
  /** Share of every counterparty's open amount held by this one (0–1). */
  exposure_share: number;
  /** Open deals whose expected close date has passed. */
  overdue_deals: number;
  /** Open deals with no activity for STALL_DAYS or more. */
  stalled_deals: number;
  won_90d: number;
  lost_90d: number;
  /** Won, unpaid deals past their payment due date. */
  overdue_receivables: number;
  overdue_receivable_krw: number;
  max_days_past_due: number;
}

export interface CounterpartyRisk {
  organization_id: string;
  name: string;
  industry: string | null;
  credit_rating: string | null;
  risk_score: number;
  risk_level: RiskLevel;
  metrics: CounterpartyMetrics;
}

export interface RiskAggregate {
  as_of: string;
  summary: {
    organizations: number;
    open_deals: number;
    open_amount_krw: number;
    overdue_receivable_krw: number;
    by_level: Record<RiskLevel, number>;
  };
  /** The riskiest counterparties, highest score first (at most TOP_COUNTERPARTIES). */
  counterparties: CounterpartyRisk[];
}

export interface Advice {
  organization_id: string;
  evidence: string[];
  actions: string[];
  source: 'llm' | 'fallback';
}

export interface EnrichedAggregate extends RiskAggregate {
  counterparties: Array<CounterpartyRisk & { evidence: string[]; actions: string[]; advice_source: 'llm' | 'fallback' }>;
}

export interface ReportMeta {
  report: 'counterparty-risk';
  as_of: string;
  generated_at: string;
  result: Extract<ReportRunResult, 'SUCCESS' | 'SUCCESS_WITH_FALLBACK'>;
  llm: { source: 'llm' | 'fallback' | 'mixed'; model: string | null; error: string | null };
  db_signature: string;
  snapshot: string;
  workflow_id: string;
  run_id: string;
  /** Set by the API when it serves the file. */
  is_stale?: boolean;
  served_from?: 'cache' | 'generated' | 'last_success';
  stale_reason?: string;
}

export interface CounterpartyRiskReport extends Omit<EnrichedAggregate, 'as_of'> {
  meta: ReportMeta;
}
