/**
 * GetCorpBasicInfoService_V2/getCorpOutline_V2: the company outline (korean-apis.md §3.4). Its
 * `fssCorpUnqNo` is DART's corp_code, which makes this the bridge from the FSC's crno to DART.
 * `corpNm` matches partially ("삼성전자" also returns "삼성전자잠실판매"), so a name query can
 * return several companies.
 */
import { z } from 'zod';
import { date, num, required, text } from './fields';
import { badRequest, type DatagokrClientOptions, fetchAllItems, parseItem } from './paged-query';

export const CORP_OUTLINE_OPERATION = 'getCorpOutline_V2';
/**
 * UNCONFIRMED: the reference gives this `/service/` path for a V2 operation, against the
 * convention that V2 services have none (§3.0); configurable through `path`.
 */
export const CORP_OUTLINE_PATH = '/1160100/service/GetCorpBasicInfoService_V2/getCorpOutline_V2';

const itemSchema = z.object({
  crno: required,
  corpNm: text,
  corpEnsnNm: text,
  enpPbanCmpyNm: text,
  enpRprFnm: text,
  corpRegMrktDcd: text,
  corpRegMrktDcdNm: text,
  corpDcd: text,
  corpDcdNm: text,
  bzno: text,
  enpOzpno: text,
  enpBsadr: text,
  enpDtadr: text,
  enpHmpgUrl: text,
  enpTlno: text,
  enpFxno: text,
  sicNm: text,
  enpEstbDt: date,
  enpStacMm: text,
  enpXchgLstgDt: date,
  enpXchgLstgAbolDt: date,
  enpKosdaqLstgDt: date,
  enpKosdaqLstgAbolDt: date,
  enpKrxLstgDt: date,
  enpKrxLstgAbolDt: date,
  smenpYn: text,
  enpMntrBnkNm: text,
  enpEmpeCnt: num,
  empeAvgCnwkTermCtt: text,
  enpPn1AvgSlryAmt: num,
  actnAudpnNm: text,
  audtRptOpnnCtt: text,
  enpMainBizNm: text,
  fssCorpUnqNo: text,
  fssCorpChgDtm: text,
  fstOpegDt: date,
  lastOpegDt: date,
});

/** Columns keep the API's names; `dartCorpCode` is `fssCorpUnqNo` (8 digits, leading zeros kept). */
export type CorpOutlineRow = z.output<typeof itemSchema> & { dartCorpCode: string | null };

export interface CorpOutlineQuery {
  crno?: string;
  /** Partial match. */
  corpNm?: string;
}

export type CorpOutlineClientOptions = DatagokrClientOptions;

export class CorpOutlineClient {
  constructor(private readonly opts: CorpOutlineClientOptions) {}

  async outlines(query: CorpOutlineQuery, signal?: AbortSignal): Promise<CorpOutlineRow[]> {
    if (!query.crno && !query.corpNm) throw badRequest(CORP_OUTLINE_OPERATION, 'give crno or corpNm');
    const rows = await fetchAllItems(
      this.opts,
      {
        path: CORP_OUTLINE_PATH,
        operation: CORP_OUTLINE_OPERATION,
        params: { crno: query.crno, corpNm: query.corpNm },
        pageSize: 100,
      },
      signal,
    );
    return rows.map((row) => toCorpOutlineRow(row.raw, row.where));
  }

  /** The DART corp_code of one company, or null when the FSC has none on record. */
  async dartCorpCode(crno: string, signal?: AbortSignal): Promise<string | null> {
    const rows = await this.outlines({ crno }, signal);
    return rows.find((r) => r.crno === crno && r.dartCorpCode)?.dartCorpCode ?? null;
  }
}

export function toCorpOutlineRow(raw: unknown, where = CORP_OUTLINE_OPERATION): CorpOutlineRow {
  const it = parseItem(itemSchema, { raw, where });
  return { ...it, dartCorpCode: it.fssCorpUnqNo };
}
