/**
 * {stk,ksq,knx}_isu_base_info: every listed issue's master data as of a day (korean-apis.md
 * §4.5). The fields are the portal's MDCSTAT01901 fields, so the rows are the same KrxListingRow.
 */
import { listingSchema, toListingRow, type KrxListingRow } from '../krx/listings';
import { mapRows } from '../rows';
import { MARKET_SERVICES, type KrxOpenApiMarket } from './daily-trades';
import { SOURCE } from './envelope';

export const baseInfoPath = (market: KrxOpenApiMarket) => `/svc/apis/sto/${MARKET_SERVICES[market]}_isu_base_info`;
export const baseInfoEndpoint = (market: KrxOpenApiMarket) => `${MARKET_SERVICES[market]}_isu_base_info`;

export function toBaseInfoRows(market: KrxOpenApiMarket, rows: unknown[]): KrxListingRow[] {
  return mapRows(SOURCE, baseInfoEndpoint(market), rows, listingSchema, toListingRow);
}
