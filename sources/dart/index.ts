/** The DART OpenAPI client (korean-apis.md §1): import from here rather than from the parts. */
export { DartClient, DART_BASE_URL, DART_DEFAULT_RPS, type DartClientOptions, type DartRequestEvent } from './client';
export { parseCorpCodeXml, parseCorpCodeZip, tickerToCorpCode, type CorpCode } from './corp-code';
export { MAJOR_EVENTS, type BonusIssue, type MajorEventKind, type MajorEventRow, type PaidInCapitalIncrease } from './corporate-actions';
export { DIVIDEND_LABELS, findDividend, type DividendRow } from './dividends';
export { SOURCE as DART_SOURCE } from './envelope';
export {
  chunkCorpCodes,
  findAccount,
  findMainAccount,
  MAX_CORPS_PER_CALL,
  type AllAccountsRequest,
  type FsDiv,
  type FullAccountRow,
  type MainAccountRow,
  type MultiAccountRequest,
} from './financial-statements';
export { DART_MAINTENANCE, msUntilMaintenanceEnds, type MaintenanceWindow } from './maintenance';
export { REPORT_CODES, type FilingRangeRequest, type PeriodicReportRequest, type ReportCode } from './requests';
