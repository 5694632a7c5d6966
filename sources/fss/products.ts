/**
 * The six finlife product types (korean-apis.md §2.1, §2.4): each type's service name, its base
 * and option columns, and the columns that tie an option to its product. Column names are kept
 * as the API spells them, because the seed's tables (deposit_products, …_options) use the same
 * names; only the values are parsed.
 */
import { z } from 'zod';
import { key, num, text } from './fields';

const commonBase = {
  dcls_month: text,
  fin_co_no: key,
  kor_co_nm: text,
  fin_prdt_cd: key,
  fin_prdt_nm: text,
  join_way: text,
  dcls_strt_day: text,
  dcls_end_day: text,
  fin_co_subm_day: text,
};

const commonOption = {
  dcls_month: text,
  fin_co_no: key,
  fin_prdt_cd: key,
};

const depositBase = z.object({
  ...commonBase,
  mtrt_int: text,
  spcl_cnd: text,
  join_deny: text,
  join_member: text,
  etc_note: text,
  max_limit: num,
});

const depositOption = z.object({
  ...commonOption,
  intr_rate_type: text,
  intr_rate_type_nm: text,
  save_trm: num,
  intr_rate: num,
  intr_rate2: num,
});

const savingOption = depositOption.extend({ rsrv_type: text, rsrv_type_nm: text });

const annuityBase = z.object({
  ...commonBase,
  pnsn_kind: text,
  pnsn_kind_nm: text,
  sale_strt_day: text,
  mntn_cnt: num,
  prdt_type: text,
  prdt_type_nm: text,
  avg_prft_rate: num,
  dcls_rate: num,
  guar_rate: num,
  btrm_prft_rate_1: num,
  btrm_prft_rate_2: num,
  btrm_prft_rate_3: num,
  etc: text,
  sale_co: text,
});

// The official doc's annuity option list is a copy of the savings one; these are the columns
// real answers carry (Kingo, reference §2.4). The *_nm columns are display labels such as
// "100,000원" and stay text: the amount a client may compute with is pnsn_recp_amt.
const annuityOption = z.object({
  ...commonOption,
  pnsn_recp_trm: text,
  pnsn_recp_trm_nm: text,
  pnsn_entr_age: text,
  pnsn_entr_age_nm: text,
  mon_paym_atm: text,
  mon_paym_atm_nm: text,
  paym_prd: text,
  paym_prd_nm: text,
  pnsn_strt_age: text,
  pnsn_strt_age_nm: text,
  pnsn_recp_amt: num,
});

const loanBase = z.object({
  ...commonBase,
  loan_inci_expn: text,
  erly_rpay_fee: text,
  dly_rate: text,
  loan_lmt: text,
});

const rentHouseOption = z.object({
  ...commonOption,
  rpay_type: text,
  rpay_type_nm: text,
  lend_rate_type: text,
  lend_rate_type_nm: text,
  lend_rate_min: num,
  lend_rate_max: num,
  lend_rate_avg: num,
});

const mortgageOption = rentHouseOption.extend({ mrtg_type: text, mrtg_type_nm: text });

const creditBase = z.object({
  ...commonBase,
  crdt_prdt_type: text,
  crdt_prdt_type_nm: text,
  cb_name: text,
});

const creditOption = z.object({
  ...commonOption,
  crdt_prdt_type: text,
  crdt_lend_rate_type: text,
  crdt_lend_rate_type_nm: text,
  crdt_grad_1: num,
  crdt_grad_4: num,
  crdt_grad_5: num,
  crdt_grad_6: num,
  crdt_grad_10: num,
  crdt_grad_11: num,
  crdt_grad_12: num,
  crdt_grad_13: num,
  crdt_grad_avg: num,
});

const BASE_KEY = ['fin_co_no', 'fin_prdt_cd'] as const;

export const PRODUCT_TYPES = {
  deposit: { service: 'depositProductsSearch', base: depositBase, option: depositOption, joinKey: BASE_KEY },
  saving: { service: 'savingProductsSearch', base: depositBase, option: savingOption, joinKey: BASE_KEY },
  annuitySaving: { service: 'annuitySavingProductsSearch', base: annuityBase, option: annuityOption, joinKey: BASE_KEY },
  mortgageLoan: { service: 'mortgageLoanProductsSearch', base: loanBase, option: mortgageOption, joinKey: BASE_KEY },
  rentHouseLoan: { service: 'rentHouseLoanProductsSearch', base: loanBase, option: rentHouseOption, joinKey: BASE_KEY },
  // One credit product code can carry several loan kinds (일반신용, 마이너스한도, 장기카드대출),
  // each with its own rate options (Kingo credit_loan_fetcher).
  creditLoan: {
    service: 'creditLoanProductsSearch',
    base: creditBase,
    option: creditOption,
    joinKey: [...BASE_KEY, 'crdt_prdt_type'] as const,
  },
} as const;

export type FinlifeProductType = keyof typeof PRODUCT_TYPES;
export type FinlifeBase<T extends FinlifeProductType> = z.output<(typeof PRODUCT_TYPES)[T]['base']>;
export type FinlifeOption<T extends FinlifeProductType> = z.output<(typeof PRODUCT_TYPES)[T]['option']>;

export interface FinlifeProduct<T extends FinlifeProductType> {
  base: FinlifeBase<T>;
  options: FinlifeOption<T>[];
}

/** 권역코드 (korean-apis.md §2.2). */
export const TOP_FIN_GRP = {
  bank: '020000',
  specializedCredit: '030200', // 여신전문 (cards, capital)
  savingsBank: '030300',
  insurance: '050000',
  investment: '060000',
} as const;

export type TopFinGrpNo = (typeof TOP_FIN_GRP)[keyof typeof TOP_FIN_GRP];
