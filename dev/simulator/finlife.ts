/**
 * FSS finlife ("금융상품 한눈에", korean-apis.md §2) for the six product services: per sector a
 * deterministic list of companies and products, base and option lists flattened as the JSON
 * answer has them, and the server's own page size (100, or 5 for annuity funds of the
 * investment sector, where real answers run to 60 pages).
 */
import type { SimResponse } from './envelopes';
import type { FaultAnswer } from './faults';
import { fnv1a, mix } from './hash';
import { json, type SourceHandler } from './source';

export const FINLIFE_MESSAGES: Record<string, string> = {
  '000': '정상',
  '010': '미등록 인증키',
  '011': '중지된 인증키',
  '012': '삭제된 인증키',
  '013': '샘플 인증키',
  '020': '일일검색 허용횟수 초과',
  '021': '허용된 IP가 아닙니다.',
  '100': '요청변수 누락',
  '101': '요청변수의 부적절한 값',
  '900': '정의되지 않은 오류',
};

export type ProductService =
  | 'depositProductsSearch'
  | 'savingProductsSearch'
  | 'annuitySavingProductsSearch'
  | 'mortgageLoanProductsSearch'
  | 'rentHouseLoanProductsSearch'
  | 'creditLoanProductsSearch';

const PRDT_DIV: Record<ProductService, string> = {
  depositProductsSearch: 'D',
  savingProductsSearch: 'S',
  annuitySavingProductsSearch: 'P',
  mortgageLoanProductsSearch: 'M',
  rentHouseLoanProductsSearch: 'R',
  creditLoanProductsSearch: 'C',
};

/** Products per sector; sectors not listed have none (err_cd 000 with empty lists). */
export const PRODUCT_COUNTS: Record<ProductService, Record<string, number>> = {
  depositProductsSearch: { '020000': 40, '030300': 250 },
  savingProductsSearch: { '020000': 45, '030300': 230 },
  annuitySavingProductsSearch: { '050000': 120, '060000': 297 },
  mortgageLoanProductsSearch: { '020000': 30, '050000': 20 },
  rentHouseLoanProductsSearch: { '020000': 25, '050000': 9 },
  creditLoanProductsSearch: { '020000': 35, '030300': 60, '030200': 15 },
};

const SECTORS = ['020000', '030200', '030300', '050000', '060000'];
const COMPANY_WORDS: Record<string, string[]> = {
  '020000': ['우리', '신한', '국민', '하나', '농협', '기업', '부산', '대구', '광주', '제주', '전북', '경남', '수협', '카카오', '토스', '케이'],
  '030200': ['현대', '삼성', '롯데', '비씨', 'KB국민', '우리', '하나', '신한'],
  '030300': ['SBI', 'OK', '웰컴', '페퍼', '한국투자', '애큐온', '다올', '상상인', '모아', 'JT', '대신', '유진'],
  '050000': ['한화생명', '삼성생명', '교보생명', '흥국생명', '동양생명', '미래에셋생명', 'DB손해', '현대해상'],
  '060000': ['NH-Amundi', '미래에셋', '삼성', 'KB', '한국투자', '키움', '신한'],
};
const SECTOR_SUFFIX: Record<string, string> = { '020000': '은행', '030200': '카드', '030300': '저축은행', '050000': '보험', '060000': '자산운용' };

/** The server's page size: what the real one does for private keys varies, which is why clients follow max_page_no. */
export function pageSize(service: ProductService, sector: string): number {
  return service === 'annuitySavingProductsSearch' && sector === '060000' ? 5 : 100;
}

type Row = Record<string, string | number | null>;

function company(sector: string, k: number): { finCoNo: string; name: string } {
  const words = COMPANY_WORDS[sector];
  return { finCoNo: `00${sector.slice(0, 2)}${String(100 + k).padStart(3, '0')}`, name: `${words[k % words.length]}${SECTOR_SUFFIX[sector]}` };
}

function rate(h: number, lo: number, span: number): number {
  return Math.round((lo + ((h % 1000) / 1000) * span) * 100) / 100;
}

function product(service: ProductService, sector: string, i: number): { base: Row; options: Row[] } {
  const seed = fnv1a(`${service}:${sector}`);
  const h = (k: number) => mix(seed + k, i);
  const co = company(sector, h(1) % COMPANY_WORDS[sector].length);
  const dclsMonth = '202601';
  const finPrdtCd = `${PRDT_DIV[service]}${sector.slice(0, 2)}${String(i).padStart(5, '0')}`;
  const base: Row = {
    dcls_month: dclsMonth, fin_co_no: co.finCoNo, kor_co_nm: co.name, fin_prdt_cd: finPrdtCd,
    fin_prdt_nm: `${co.name} ${['든든', '알찬', 'plus', '스마트', '행복'][h(2) % 5]}${i}`, join_way: '영업점,인터넷,스마트폰',
    dcls_strt_day: '20260101', dcls_end_day: null, fin_co_subm_day: '202601020900',
  };
  const key = { dcls_month: dclsMonth, fin_co_no: co.finCoNo, fin_prdt_cd: finPrdtCd };
  const n = 1 + (h(3) % 4);
  const options: Row[] = [];
  switch (service) {
    case 'depositProductsSearch':
    case 'savingProductsSearch':
      Object.assign(base, { mtrt_int: '만기 후 1개월: 기본금리의 50%', spcl_cnd: '해당사항 없음', join_deny: String(1 + (h(4) % 3)), join_member: '실명의 개인', etc_note: '-', max_limit: h(5) % 2 ? null : 100_000_000 });
      for (let k = 0; k < n; k++) {
        const r = rate(h(10 + k), 2, 2);
        options.push({
          ...key, intr_rate_type: 'S', intr_rate_type_nm: '단리', ...(service === 'savingProductsSearch' ? { rsrv_type: k % 2 ? 'F' : 'S', rsrv_type_nm: k % 2 ? '자유적립식' : '정액적립식' } : {}),
          save_trm: String([6, 12, 24, 36][k]), intr_rate: r, intr_rate2: Math.round((r + 0.3) * 100) / 100,
        });
      }
      break;
    case 'annuitySavingProductsSearch':
      Object.assign(base, {
        pnsn_kind: sector === '060000' ? '3' : '1', pnsn_kind_nm: sector === '060000' ? '연금저축펀드' : '연금저축보험', sale_strt_day: '20150401', mntn_cnt: 1000 + (h(4) % 90_000),
        prdt_type: String(1 + (h(5) % 3)), prdt_type_nm: ['주식형', '채권형', '혼합형'][h(5) % 3], avg_prft_rate: rate(h(6), -2, 8), dcls_rate: rate(h(7), 1, 3), guar_rate: null,
        btrm_prft_rate_1: rate(h(8), -5, 15), btrm_prft_rate_2: rate(h(9), -5, 15), btrm_prft_rate_3: rate(h(10), -5, 15), etc: null, sale_co: co.name,
      });
      for (let k = 0; k < n; k++) {
        options.push({
          ...key, pnsn_recp_trm: String(k + 1), pnsn_recp_trm_nm: `${(k + 1) * 5}년 확정`, pnsn_entr_age: '30', pnsn_entr_age_nm: '30세',
          mon_paym_atm: '100000', mon_paym_atm_nm: '100,000원', paym_prd: '10', paym_prd_nm: '10년', pnsn_strt_age: '60', pnsn_strt_age_nm: '60세',
          pnsn_recp_amt: 100_000 + (h(20 + k) % 300_000),
        });
      }
      break;
    case 'mortgageLoanProductsSearch':
    case 'rentHouseLoanProductsSearch':
      Object.assign(base, { loan_inci_expn: '인지세 50%', erly_rpay_fee: '1.2%', dly_rate: '약정금리+3%', loan_lmt: '담보가의 70%' });
      for (let k = 0; k < n; k++) {
        const lo = rate(h(10 + k), 3, 2);
        options.push({
          ...key, ...(service === 'mortgageLoanProductsSearch' ? { mrtg_type: k % 2 ? 'E' : 'A', mrtg_type_nm: k % 2 ? '아파트외' : '아파트' } : {}),
          rpay_type: k % 2 ? 'S' : 'D', rpay_type_nm: k % 2 ? '만기일시상환방식' : '분할상환방식', lend_rate_type: k < 2 ? 'F' : 'C', lend_rate_type_nm: k < 2 ? '고정금리' : '변동금리',
          lend_rate_min: lo, lend_rate_max: Math.round((lo + 1.5) * 100) / 100, lend_rate_avg: Math.round((lo + 0.4) * 100) / 100,
        });
      }
      break;
    case 'creditLoanProductsSearch': {
      const type = String(1 + (h(4) % 3));
      Object.assign(base, { crdt_prdt_type: type, crdt_prdt_type_nm: ['일반신용대출', '마이너스한도대출', '장기카드대출(카드론)'][Number(type) - 1], cb_name: 'NICE, KCB' });
      ['A', 'B', 'C'].slice(0, 1 + (h(5) % 3)).forEach((t, k) => {
        const g = rate(h(10 + k), 4, 6);
        options.push({
          ...key, crdt_prdt_type: type, crdt_lend_rate_type: t, crdt_lend_rate_type_nm: ['대출금리', '기준금리', '가산금리'][k],
          crdt_grad_1: g, crdt_grad_4: g + 1, crdt_grad_5: g + 2, crdt_grad_6: g + 3, crdt_grad_10: g + 5, crdt_grad_11: null, crdt_grad_12: null, crdt_grad_13: null,
          crdt_grad_avg: Math.round((g + 2) * 100) / 100,
        });
      });
      break;
    }
  }
  return { base, options };
}

/** Every product of a service in a sector, in the order the pages list them. */
export function productsOf(service: ProductService, sector: string): { base: Row; options: Row[] }[] {
  const n = PRODUCT_COUNTS[service][sector] ?? 0;
  return Array.from({ length: n }, (_, i) => product(service, sector, i));
}

export function finlifeError(code: string): SimResponse {
  return json(200, { result: { err_cd: code, err_msg: FINLIFE_MESSAGES[code] ?? FINLIFE_MESSAGES['900'] } });
}

function page(service: ProductService, params: URLSearchParams): SimResponse {
  const sector = params.get('topFinGrpNo');
  const pageNoText = params.get('pageNo');
  if (!sector || !pageNoText) return finlifeError('100');
  if (!SECTORS.includes(sector) || !/^\d{1,4}$/.test(pageNoText) || Number(pageNoText) < 1) return finlifeError('101');
  const pageNo = Number(pageNoText);
  const financeCd = params.get('financeCd');
  let all = productsOf(service, sector);
  if (financeCd) all = all.filter((p) => p.base.fin_co_no === financeCd || String(p.base.kor_co_nm).includes(financeCd));
  const size = pageSize(service, sector);
  const slice = all.slice((pageNo - 1) * size, pageNo * size);
  return json(200, {
    result: {
      prdt_div: PRDT_DIV[service], total_count: all.length, max_page_no: Math.ceil(all.length / size), now_page_no: pageNo,
      err_cd: '000', err_msg: '정상', baseList: slice.map((p) => p.base), optionList: slice.flatMap((p) => p.options),
    },
  });
}

export function finlifeHandler(o: { keys: ReadonlySet<string> }): SourceHandler {
  const serviceOf = (path: string): ProductService | undefined => {
    const name = path.replace(/\.json$/, '') as ProductService;
    return path.endsWith('.json') && name in PRDT_DIV ? name : undefined;
  };
  return {
    admit(req) {
      if (!serviceOf(req.path)) return { refuse: { status: 404, headers: { 'content-type': 'text/html;charset=UTF-8' }, body: '<html><body>404</body></html>' } };
      const key = req.params.get('auth');
      if (!key) return { refuse: finlifeError('100') };
      return o.keys.has(key) ? { key } : { refuse: finlifeError('010') };
    },
    answers(req): FaultAnswer {
      const service = serviceOf(req.path)!;
      return {
        normal: () => page(service, req.params),
        noData: () => json(200, { result: { prdt_div: PRDT_DIV[service], total_count: 0, max_page_no: 0, now_page_no: 1, err_cd: '000', err_msg: '정상', baseList: [], optionList: [] } }),
        code: finlifeError,
        quota: () => finlifeError('020'),
        tps: () => finlifeError('020'),
        auth: () => finlifeError('010'),
        appError: () => finlifeError('900'),
      };
    },
  };
}
