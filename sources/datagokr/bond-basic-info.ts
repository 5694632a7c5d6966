/**
 * GetBondIssuInfoService_V2/getBondBasiInfo_V2: bond master data (korean-apis.md §3.3), about
 * 19,000 bonds for one date, paged by 1,000 (seed 001 Part 1.1). Without basDt, crno or isinCd
 * the source scans its latest date in full and times out, so such a query is refused here.
 */
import { z } from 'zod';
import { compactDate, type IsoDate } from '../../calendar/trading-calendar';
import { date, num, required, text } from './fields';
import { badRequest, type DatagokrClientOptions, fetchAllItems, parseItem } from './paged-query';

export const BONDS_OPERATION = 'getBondBasiInfo_V2';
/** The V2 path (no `/service/`); Kingo still calls the legacy `/1160100/service/GetBondIssuInfoService/getBondBasiInfo`. */
export const BONDS_PATH = '/1160100/GetBondIssuInfoService_V2/getBondBasiInfo_V2';

// The main columns of the 75 the API returns; the rest are dropped.
const itemSchema = z.object({
  basDt: date,
  crno: text,
  isinCd: required,
  isinCdNm: text,
  scrsItmsKcd: text,
  scrsItmsKcdNm: text,
  bondIsurNm: text,
  bondIssuDt: date,
  bondExprDt: date,
  bondIssuAmt: num,
  bondPymtAmt: num,
  bondBal: num,
  bondSrfcInrt: num,
  irtChngDcd: text,
  bondIntTcd: text,
  bondIntTcdNm: text,
  intPayCyclCtt: text,
  nxtmCopnDt: date,
  rbfCopnDt: date,
  grnDcd: text,
  grnDcdNm: text,
  bondRnknDcd: text,
  bondRnknDcdNm: text,
  txtnDcd: text,
  txtnDcdNm: text,
  optnTcd: text,
  optnTcdNm: text,
  kisScrsItmsKcdNm: text,
  kbpScrsItmsKcdNm: text,
  niceScrsItmsKcdNm: text,
  fnScrsItmsKcdNm: text,
  bondOffrMcd: text,
  lstgDt: date,
  prmncBondYn: text,
  stripsPsblYn: text,
  bondIssuCurCdNm: text,
});

/** Columns keep the API's names (the reference documents them); values are parsed. */
export type BondRow = z.output<typeof itemSchema>;

export interface BondQuery {
  basDt?: IsoDate;
  /** 법인등록번호 of the issuer. */
  crno?: string;
  isinCd?: string;
  /** Issuer name; narrows a query, but is not enough on its own. */
  bondIsurNm?: string;
}

export type BondBasicInfoClientOptions = DatagokrClientOptions;

export class BondBasicInfoClient {
  constructor(private readonly opts: BondBasicInfoClientOptions) {}

  async bonds(query: BondQuery, signal?: AbortSignal): Promise<BondRow[]> {
    if (!query.basDt && !query.crno && !query.isinCd) {
      throw badRequest(BONDS_OPERATION, 'at least one of basDt, crno or isinCd is required (without them the source scans its whole latest date and times out)');
    }
    const rows = await fetchAllItems(
      this.opts,
      {
        path: BONDS_PATH,
        operation: BONDS_OPERATION,
        params: { basDt: query.basDt && compactDate(query.basDt), crno: query.crno, isinCd: query.isinCd, bondIsurNm: query.bondIsurNm },
        pageSize: 1000, // seed 001: 1,000 bonds a page
      },
      signal,
    );
    return rows.map((row) => toBondRow(row.raw, row.where));
  }
}

export function toBondRow(raw: unknown, where = BONDS_OPERATION): BondRow {
  return parseItem(itemSchema, { raw, where });
}
