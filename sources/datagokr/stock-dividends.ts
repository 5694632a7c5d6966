/**
 * GetStocDiviInfoService_V2/getDiviInfo_V2: dividends by company registration number, company
 * name or load date (korean-apis.md §3.2), paged to the end. The row's `basDt` is the date the
 * row was loaded, not when anything happened; the dividend's own date is `dvdnBasDt`
 * (배당기준일), surfaced as `eventDate`.
 */
import { z } from 'zod';
import { compactDate, type IsoDate } from '../../calendar/trading-calendar';
import { date, num, text } from './fields';
import { badRequest, type DatagokrClientOptions, fetchAllItems, parseItem } from './paged-query';

export const DIVIDENDS_OPERATION = 'getDiviInfo_V2';
/** Current path per several 2026 clients; the legacy `/service/GetStocDiviInfoService/getDiviInfo` reportedly 404s. */
export const DIVIDENDS_PATH = '/1160100/GetStocDiviInfoService_V2/getDiviInfo_V2';

const itemSchema = z
  .object({
    basDt: date,
    crno: text,
    isinCd: text,
    isinCdNm: text,
    stckIssuCmpyNm: text,
    dvdnBasDt: date,
    cashDvdnPayDt: date,
    stckHndvDt: date,
    stckDvdnRcd: text,
    stckDvdnRcdNm: text,
    trsnmDptyDcd: text,
    trsnmDptyDcdNm: text,
    scrsItmsKcd: text,
    scrsItmsKcdNm: text,
    stckGenrDvdnAmt: num,
    stckGrdnDvdnAmt: num,
    stckGenrCashDvdnRt: num,
    stckGenrDvdnRt: num,
    cashGrdnDvdnRt: num,
    stckGrdnDvdnRt: num,
    stckParPrc: num,
    stckStacMd: text,
  })
  .refine((r) => r.crno !== null || r.isinCd !== null, 'row has neither crno nor isinCd');

/** Columns keep the API's names (the reference documents them); values are parsed. */
export type DividendRow = z.output<typeof itemSchema> & { eventDate: IsoDate | null };

export interface DividendQuery {
  /** 법인등록번호, 13 digits. */
  crno?: string;
  /** stckIssuCmpyNm. */
  companyName?: string;
  /** The load date (basDt), not the dividend's date. */
  basDt?: IsoDate;
}

export type StockDividendsClientOptions = DatagokrClientOptions;

export class StockDividendsClient {
  constructor(private readonly opts: StockDividendsClientOptions) {}

  async dividends(query: DividendQuery, signal?: AbortSignal): Promise<DividendRow[]> {
    if (!query.crno && !query.companyName && !query.basDt) {
      throw badRequest(DIVIDENDS_OPERATION, 'give crno, companyName or basDt; an unfiltered query scans the whole dataset');
    }
    const rows = await fetchAllItems(
      this.opts,
      {
        path: DIVIDENDS_PATH,
        operation: DIVIDENDS_OPERATION,
        params: { crno: query.crno, stckIssuCmpyNm: query.companyName, basDt: query.basDt && compactDate(query.basDt) },
        pageSize: 1000,
      },
      signal,
    );
    return rows.map((row) => toDividendRow(row.raw, row.where));
  }
}

export function toDividendRow(raw: unknown, where = DIVIDENDS_OPERATION): DividendRow {
  const it = parseItem(itemSchema, { raw, where });
  return { ...it, eventDate: it.dvdnBasDt };
}
