/**
 * The monthly chain's tables: finlife products and their options (six types in two tables,
 * each row's full answer in `raw` beside the typed common columns) and the FSC bond master.
 */
import type { IsoDate } from '../calendar/trading-calendar';
import type { BondRow } from '../sources/datagokr/bond-basic-info';
import type { FinlifeProduct, FinlifeProductType } from '../sources/fss/products';
import { bulkUpsert, uniqueByKey, unnestTable, type UpsertCounts } from './bulk-upsert';
import type { Db } from './database';

/** The columns that tell one option of a product from another, per type (korean-apis.md §2.4). */
export const OPTION_KEYS: Record<FinlifeProductType, readonly string[]> = {
  deposit: ['intr_rate_type', 'save_trm'],
  saving: ['intr_rate_type', 'rsrv_type', 'save_trm'],
  annuitySaving: ['pnsn_recp_trm', 'pnsn_entr_age', 'mon_paym_atm', 'paym_prd', 'pnsn_strt_age'],
  mortgageLoan: ['mrtg_type', 'rpay_type', 'lend_rate_type'],
  rentHouseLoan: ['rpay_type', 'lend_rate_type'],
  creditLoan: ['crdt_lend_rate_type'],
};

const PRODUCT = {
  table: 'finlife_product',
  columns: {
    product_type: 'text', fin_co_no: 'text', fin_prdt_cd: 'text', crdt_prdt_type: 'text', top_fin_grp_no: 'text', dcls_month: 'text', kor_co_nm: 'text',
    fin_prdt_nm: 'text', join_way: 'text', dcls_strt_day: 'text', dcls_end_day: 'text', fin_co_subm_day: 'text', raw: 'jsonb', active: 'boolean',
  },
  key: ['product_type', 'fin_co_no', 'fin_prdt_cd', 'crdt_prdt_type'],
  touch: 'last_seen_at',
} as const;

const OPTION = {
  table: 'finlife_product_option',
  columns: {
    product_type: 'text', fin_co_no: 'text', fin_prdt_cd: 'text', crdt_prdt_type: 'text', option_key: 'text', intr_rate: 'numeric', intr_rate2: 'numeric',
    save_trm: 'integer', lend_rate_min: 'numeric', lend_rate_max: 'numeric', lend_rate_avg: 'numeric', raw: 'jsonb',
  },
  key: ['product_type', 'fin_co_no', 'fin_prdt_cd', 'crdt_prdt_type', 'option_key'],
  touch: 'updated_at',
} as const;

export interface SectorProducts<T extends FinlifeProductType> {
  topFinGrpNo: string;
  products: FinlifeProduct<T>[];
}

type Row = Record<string, unknown>;
const field = (row: unknown, k: string): unknown => (row as Row)[k] ?? null;

export interface FinlifeSaveCounts {
  products: number;
  options: number;
  written: number;
  deactivated: number;
}

/**
 * One product type, every sector: products upserted and active, their options replaced, and
 * products of the type that the source no longer lists marked inactive (never deleted). An
 * answer with no product at all deactivates nothing: that is an outage, not a market.
 */
export async function saveFinlifeProducts<T extends FinlifeProductType>(db: Db, type: T, sectors: readonly SectorProducts<T>[]): Promise<FinlifeSaveCounts> {
  const products: Row[] = [];
  const options: Row[] = [];
  for (const s of sectors) {
    for (const p of s.products) {
      const key = { product_type: type, fin_co_no: field(p.base, 'fin_co_no'), fin_prdt_cd: field(p.base, 'fin_prdt_cd'), crdt_prdt_type: field(p.base, 'crdt_prdt_type') ?? '' };
      products.push({
        ...key, top_fin_grp_no: s.topFinGrpNo, raw: p.base, active: true,
        ...Object.fromEntries(['dcls_month', 'kor_co_nm', 'fin_prdt_nm', 'join_way', 'dcls_strt_day', 'dcls_end_day', 'fin_co_subm_day'].map((k) => [k, field(p.base, k)])),
      });
      for (const o of p.options) {
        options.push({
          ...key, option_key: OPTION_KEYS[type].map((k) => String(field(o, k) ?? '')).join('|'), raw: o,
          ...Object.fromEntries(['intr_rate', 'intr_rate2', 'save_trm', 'lend_rate_min', 'lend_rate_max', 'lend_rate_avg'].map((k) => [k, field(o, k)])),
        });
      }
    }
  }
  const uniqueProducts = uniqueByKey(products, PRODUCT.key);
  const uniqueOptions = uniqueByKey(options, OPTION.key);
  return db.transaction().execute(async (tx) => {
    const p: UpsertCounts = await bulkUpsert(tx, PRODUCT, uniqueProducts);
    const o: UpsertCounts = await bulkUpsert(tx, OPTION, uniqueOptions);
    const col = (rows: Row[], c: string) => rows.map((r) => String(r[c]));
    const listed = unnestTable('l', {
      fin_co_no: ['text', col(uniqueProducts, 'fin_co_no')],
      fin_prdt_cd: ['text', col(uniqueProducts, 'fin_prdt_cd')],
      crdt_prdt_type: ['text', col(uniqueProducts, 'crdt_prdt_type')],
    });
    const offered = unnestTable('n', {
      fin_co_no: ['text', col(uniqueOptions, 'fin_co_no')],
      fin_prdt_cd: ['text', col(uniqueOptions, 'fin_prdt_cd')],
      crdt_prdt_type: ['text', col(uniqueOptions, 'crdt_prdt_type')],
      option_key: ['text', col(uniqueOptions, 'option_key')],
    });
    // Options a listed product no longer has.
    const stale = await tx
      .deleteFrom('finlife_product_option as o')
      .where('o.product_type', '=', type)
      .where((eb) => eb(
        eb.refTuple('o.fin_co_no', 'o.fin_prdt_cd', 'o.crdt_prdt_type'), 'in',
        eb.selectFrom(listed).select(['l.fin_co_no', 'l.fin_prdt_cd', 'l.crdt_prdt_type']).$asTuple('fin_co_no', 'fin_prdt_cd', 'crdt_prdt_type'),
      ))
      .where((eb) => eb(
        eb.refTuple('o.fin_co_no', 'o.fin_prdt_cd', 'o.crdt_prdt_type', 'o.option_key'), 'not in',
        eb.selectFrom(offered).select(['n.fin_co_no', 'n.fin_prdt_cd', 'n.crdt_prdt_type', 'n.option_key'])
          .$asTuple('fin_co_no', 'fin_prdt_cd', 'crdt_prdt_type', 'option_key'),
      ))
      .executeTakeFirst();
    let deactivated = 0;
    if (uniqueProducts.length > 0) {
      const gone = await tx
        .updateTable('finlife_product as p')
        .set({ active: false })
        .where('p.product_type', '=', type)
        .where('p.active', '=', true)
        .where((eb) => eb(
          eb.refTuple('p.fin_co_no', 'p.fin_prdt_cd', 'p.crdt_prdt_type'), 'not in',
          eb.selectFrom(listed).select(['l.fin_co_no', 'l.fin_prdt_cd', 'l.crdt_prdt_type']).$asTuple('fin_co_no', 'fin_prdt_cd', 'crdt_prdt_type'),
        ))
        .executeTakeFirst();
      deactivated = Number(gone.numUpdatedRows);
    }
    const written = p.inserted + p.updated + o.inserted + o.updated + Number(stale.numDeletedRows) + deactivated;
    return { products: uniqueProducts.length, options: uniqueOptions.length, written, deactivated };
  });
}

const BONDS = {
  table: 'bonds',
  columns: {
    isin_cd: 'text', bas_dt: 'date', isin_cd_nm: 'text', crno: 'text', bond_isur_nm: 'text', scrs_itms_kcd_nm: 'text', bond_issu_dt: 'date', bond_expr_dt: 'date',
    bond_issu_amt: 'numeric', bond_bal: 'numeric', bond_srfc_inrt: 'numeric', bond_int_tcd_nm: 'text', grn_dcd_nm: 'text', bond_rnkn_dcd_nm: 'text',
    kis_rating: 'text', kbp_rating: 'text', nice_rating: 'text', fn_rating: 'text', lstg_dt: 'date', bond_issu_cur: 'text', raw: 'jsonb',
  },
  key: ['isin_cd'],
  touch: 'updated_at',
  // One row per bond, the newest basDt: a load of an older date never overwrites a newer one.
  onlyIf: 't.bas_dt <= EXCLUDED.bas_dt',
} as const;

export async function saveBonds(db: Db, basDt: IsoDate, rows: readonly BondRow[]): Promise<UpsertCounts> {
  return bulkUpsert(db, BONDS, rows.map((r) => ({
    isin_cd: r.isinCd, bas_dt: r.basDt ?? basDt, isin_cd_nm: r.isinCdNm, crno: r.crno, bond_isur_nm: r.bondIsurNm, scrs_itms_kcd_nm: r.scrsItmsKcdNm,
    bond_issu_dt: r.bondIssuDt, bond_expr_dt: r.bondExprDt, bond_issu_amt: r.bondIssuAmt, bond_bal: r.bondBal, bond_srfc_inrt: r.bondSrfcInrt,
    bond_int_tcd_nm: r.bondIntTcdNm, grn_dcd_nm: r.grnDcdNm, bond_rnkn_dcd_nm: r.bondRnknDcdNm, kis_rating: r.kisScrsItmsKcdNm, kbp_rating: r.kbpScrsItmsKcdNm,
    nice_rating: r.niceScrsItmsKcdNm, fn_rating: r.fnScrsItmsKcdNm, lstg_dt: r.lstgDt, bond_issu_cur: r.bondIssuCurCdNm, raw: r,
  })));
}
