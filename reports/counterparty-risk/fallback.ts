/**
 * Rule-based evidence and actions, used for every counterparty the LLM did not answer for
 * (LLM unset, HTTP error, timeout, unusable JSON). Built from the same metrics the score uses,
 * so a fallback report still says why each counterparty ranks where it does.
 */
import { STALL_DAYS } from './aggregate';
import type { Advice, CounterpartyRisk } from './report';
import { SPECULATIVE_RATINGS } from './schema';

const won = (krw: number) => (krw >= 100_000_000 ? `${(krw / 100_000_000).toFixed(1)}억원` : `${Math.round(krw / 10_000).toLocaleString('ko-KR')}만원`);

export function fallbackAdvice(c: CounterpartyRisk): Advice {
  const m = c.metrics;
  const evidence: string[] = [];
  const actions: string[] = [];
  if (m.overdue_receivables > 0) {
    evidence.push(`미수금 ${m.overdue_receivables}건 ${won(m.overdue_receivable_krw)}, 최장 ${m.max_days_past_due}일 연체`);
    actions.push(m.max_days_past_due >= 90 ? '미수금 회수 계획 확정 전까지 신규 계약·출고 보류, 선입금 조건 검토' : '미수금 회수 일정 확인 및 결제 독촉');
  }
  if (m.exposure_share >= 0.1) {
    evidence.push(`진행 중 파이프라인의 ${(m.exposure_share * 100).toFixed(1)}% 집중 (${won(m.open_amount_krw)}, ${m.open_deals}건)`);
    actions.push('단일 거래처 의존도 완화: 대체 거래처 파이프라인 확대');
  }
  if (m.overdue_deals > 0) {
    evidence.push(`예상 마감일이 지난 진행 딜 ${m.overdue_deals}건 (진행 ${m.open_deals}건 중)`);
    actions.push(`마감일 경과 딜 ${m.overdue_deals}건의 일정 재확인 및 단계 갱신`);
  }
  if (m.stalled_deals > 0) {
    evidence.push(`${STALL_DAYS}일 이상 활동 없는 진행 딜 ${m.stalled_deals}건`);
    actions.push(`담당자 재접촉 (${STALL_DAYS}일 이상 무활동 ${m.stalled_deals}건)`);
  }
  if (m.lost_90d > 0) {
    evidence.push(`최근 90일 실주 ${m.lost_90d}건, 수주 ${m.won_90d}건`);
    if (m.lost_90d > m.won_90d) actions.push('최근 실주 사유 검토 및 거래 조건 재점검');
  }
  if (c.credit_rating === null) evidence.push('외부 신용등급 없음');
  else if (SPECULATIVE_RATINGS.has(c.credit_rating.toUpperCase())) {
    evidence.push(`신용등급 ${c.credit_rating} (투기등급)`);
    actions.push('신용등급 변동 모니터링, 여신 한도 재검토');
  }
  if (evidence.length === 0) evidence.push(`진행 딜 ${m.open_deals}건 ${won(m.open_amount_krw)}, 특이 위험 신호 없음`);
  if (actions.length === 0) actions.push('정기 모니터링 유지');
  return { organization_id: c.organization_id, evidence, actions, source: 'fallback' };
}
