/**
 * The DART major-event kinds the quarterly chain asks for by default: seed 001's "기업 액션
 * (분할/합병)", the filings that change what a share is. DART needs a corp_code per call, so a
 * quarter costs companies × kinds calls: 4 kinds × ~2,900 listed companies ≈ 11,600 calls, inside
 * one day's 20,000 quota and about 3.2 hours at 1 call a second. More kinds can be asked for in
 * the workflow's input (`kinds`); beyond the day's quota the run waits for the reset and goes on.
 */
import type { MajorEventKind } from '../sources/dart/corporate-actions';

export const QUARTERLY_ACTION_KINDS: MajorEventKind[] = ['cmpMgDecsn', 'cmpDvDecsn', 'cmpDvmgDecsn', 'stkExtrDecsn'];
