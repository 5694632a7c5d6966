/**
 * KRX over the simulated market (korean-apis.md §4): the data portal (data.krx.co.kr, POST
 * getJsonData.cmd with a bld, comma-formatted numbers, "-" prices on holidays, and since 2026 a
 * member login whose session cookie every data call needs) and the Open API (data-dbg.krx.co.kr,
 * AUTH_KEY header, plain numbers, an empty OutBlock_1 on holidays). Prices are the same numbers
 * data.go.kr serves for the same day (market.ts).
 */
import { randomBytes } from 'node:crypto';
import { addDays, compactDate, kstDate, kstMinuteOfDay, type IsoDate } from '../../calendar/trading-calendar';
import { commas } from './dart';
import type { SimResponse } from './envelopes';
import type { FaultAnswer } from './faults';
import { normalizeDate } from './faults';
import { bell, fnv1a, mix, unit } from './hash';
import { TICKERS, isListedOn, isMarketDay, isinFor, quotesForDate, type DayQuotes, type Ticker } from './market';
import { json, type SimRequest, type SourceHandler } from './source';

const HTML_JSON = 'text/html;charset=UTF-8'; // the portal labels its JSON as HTML
const MARKET_IDS: Record<string, 'KOSPI' | 'KOSDAQ' | undefined> = { STK: 'KOSPI', KSQ: 'KOSDAQ', KNX: undefined };
const KOSDAQ_DEPTS = ['우량기업부', '벤처기업부', '중견기업부', '기술성장기업부'];

function dept(t: Ticker, blankKospi: string): string {
  return t.mrktCtg === 'KOSPI' ? blankKospi : KOSDAQ_DEPTS[t.seed % KOSDAQ_DEPTS.length];
}

function rateText(hundredths: number): string {
  return (hundredths / 100).toFixed(2);
}

/** 1 up, 2 down, 3 unchanged, 4 upper limit, 5 lower limit, 0 halted (PROVENANCE 34). */
function flucCode(q: DayQuotes, i: number): string {
  if (q.volume[i] === 0) return '0';
  if (q.rate[i] >= 2_990) return '4';
  if (q.rate[i] <= -2_990) return '5';
  return q.vs[i] > 0 ? '1' : q.vs[i] < 0 ? '2' : '3';
}

// ---- ETFs -------------------------------------------------------------------------------------

export interface Etf {
  code: string;
  isin: string;
  name: string;
  index: string;
  base: number;
  shares: number;
  seed: number;
}

const ETF_BRANDS = ['KODEX', 'TIGER', 'ARIRANG', 'KBSTAR', 'HANARO', 'KOSEF', 'ACE', 'SOL'];
const ETF_INDICES = ['코스피 200', '코스닥 150', 'KRX 300', '코스피 200 동일가중지수', 'S&P 500', '나스닥 100', '국고채 3년', '2차전지산업', '반도체', '미국채 10년'];
export const ETF_COUNT = 470;

let etfs: Etf[] | undefined;

export function etfUniverse(): readonly Etf[] {
  if (etfs) return etfs;
  const used = new Set(TICKERS.map((t) => t.srtnCd));
  etfs = [];
  for (let i = 0; i < ETF_COUNT; i++) {
    const seed = fnv1a(`etf:${i}`);
    let code = '';
    for (let a = 0; !code || used.has(code); a++) code = `${String(100_000 + (mix(seed, a) % 400_000))}`.slice(0, 5) + '0';
    used.add(code);
    const index = ETF_INDICES[mix(seed, 10) % ETF_INDICES.length];
    etfs.push({ code, isin: isinFor(code), name: `${ETF_BRANDS[mix(seed, 11) % ETF_BRANDS.length]} ${index} ${i}`, index, base: 5_000 + (mix(seed, 12) % 45_000), shares: 100_000 * (1 + (mix(seed, 13) % 2_000)), seed });
  }
  etfs.sort((a, b) => (a.code < b.code ? -1 : 1));
  return etfs;
}

interface EtfQuote {
  close: number;
  prev: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  nav: number;
  idx: number;
  idxPrev: number;
}

function etfQuote(e: Etf, date: IsoDate): EtfQuote {
  const n = Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const level = (k: number) => Math.round((e.base * Math.exp(0.1 * Math.sin(k / 40 + e.seed) + 0.01 * bell(e.seed, 1, k))) / 5) * 5;
  const close = level(n);
  const prev = level(n - 1);
  const open = Math.round((prev * (1 + 0.003 * bell(e.seed, 2, n))) / 5) * 5;
  return {
    close, prev, open,
    high: Math.max(open, close) + 5 * (mix(e.seed, n) % 20),
    low: Math.max(5, Math.min(open, close) - 5 * (mix(e.seed + 1, n) % 20)),
    volume: Math.round(1_000 + 500_000 * unit(e.seed, 3, n)),
    nav: Math.round(close * (1 + 0.002 * bell(e.seed, 4, n)) * 100) / 100,
    idx: Math.round(close / 10) / 10,
    idxPrev: Math.round(prev / 10) / 10,
  };
}

// ---- the data portal --------------------------------------------------------------------------

function stamp(nowMs: number): string {
  const d = new Date(nowMs + 9 * 3_600_000);
  const h = d.getUTCHours();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}.${p(d.getUTCMonth() + 1)}.${p(d.getUTCDate())} ${h < 12 ? 'AM' : 'PM'} ${p(h % 12 || 12)}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function listedOn(date: IsoDate, market: 'KOSPI' | 'KOSDAQ' | 'ALL'): Ticker[] {
  return TICKERS.filter((t) => (market === 'ALL' || t.mrktCtg === market) && isListedOn(t, date));
}

/** MDCSTAT01501: every issue of a market for one day; on a closed day every row with "-" prices. */
function portalDailyRows(mktId: string, date: IsoDate): object[] {
  const market = mktId === 'ALL' ? 'ALL' : MARKET_IDS[mktId];
  if (!market) return [];
  const marketId = (t: Ticker) => (t.mrktCtg === 'KOSPI' ? 'STK' : 'KSQ');
  if (!isMarketDay(date)) {
    return listedOn(date, market).map((t) => ({
      ISU_SRT_CD: t.srtnCd, ISU_CD: t.isinCd, ISU_ABBRV: t.itmsNm, MKT_NM: t.mrktCtg, SECT_TP_NM: dept(t, ''), TDD_CLSPRC: '-', FLUC_TP_CD: '3',
      CMPPREVDD_PRC: '-', FLUC_RT: '-', TDD_OPNPRC: '-', TDD_HGPRC: '-', TDD_LWPRC: '-', ACC_TRDVOL: '-', ACC_TRDVAL: '-', MKTCAP: '-',
      LIST_SHRS: commas(t.lstgStCnt), MKT_ID: marketId(t),
    }));
  }
  const q = quotesForDate(date, {}, market === 'ALL' ? undefined : TICKERS.filter((t) => t.mrktCtg === market));
  return q.tickers.map((t, i) => ({
    ISU_SRT_CD: t.srtnCd, ISU_CD: t.isinCd, ISU_ABBRV: t.itmsNm, MKT_NM: t.mrktCtg, SECT_TP_NM: dept(t, ''), TDD_CLSPRC: commas(q.close[i]),
    FLUC_TP_CD: flucCode(q, i), CMPPREVDD_PRC: commas(q.vs[i]), FLUC_RT: rateText(q.rate[i]), TDD_OPNPRC: commas(q.open[i]),
    TDD_HGPRC: commas(q.high[i]), TDD_LWPRC: commas(q.low[i]), ACC_TRDVOL: commas(q.volume[i]), ACC_TRDVAL: commas(q.value[i]),
    MKTCAP: commas(q.close[i] * t.lstgStCnt), LIST_SHRS: commas(t.lstgStCnt), MKT_ID: marketId(t),
  }));
}

function portalEtfRows(date: IsoDate): object[] {
  const open = isMarketDay(date);
  return etfUniverse().map((e) => {
    const head = { ISU_SRT_CD: e.code, ISU_CD: e.isin, SECUGRP_ID: 'EF', ISU_ABBRV: e.name };
    if (!open) {
      return {
        ...head, TDD_CLSPRC: '-', CMPPREVDD_PRC: '-', FLUC_TP_CD: '0', FLUC_RT: '-', NAV: '-', TDD_OPNPRC: '-', TDD_HGPRC: '-', TDD_LWPRC: '-',
        ACC_TRDVOL: '-', ACC_TRDVAL: '-', MKTCAP: '-', INVSTASST_NETASST_TOTAMT: '-', LIST_SHRS: commas(e.shares), IDX_IND_NM: e.index,
        OBJ_STKPRC_IDX: '-', CMPPREVDD_IDX: '-', FLUC_TP_CD1: '0', FLUC_RT1: '-',
      };
    }
    const q = etfQuote(e, date);
    const vs = q.close - q.prev;
    const idxVs = Math.round((q.idx - q.idxPrev) * 100) / 100;
    return {
      ...head, TDD_CLSPRC: commas(q.close), CMPPREVDD_PRC: commas(vs), FLUC_TP_CD: vs > 0 ? '1' : vs < 0 ? '2' : '3', FLUC_RT: ((vs / q.prev) * 100).toFixed(2),
      NAV: q.nav.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }), TDD_OPNPRC: commas(q.open), TDD_HGPRC: commas(q.high),
      TDD_LWPRC: commas(q.low), ACC_TRDVOL: commas(q.volume), ACC_TRDVAL: commas(q.volume * q.close), MKTCAP: commas(q.close * e.shares),
      INVSTASST_NETASST_TOTAMT: commas(q.nav * e.shares), LIST_SHRS: commas(e.shares), IDX_IND_NM: e.index,
      OBJ_STKPRC_IDX: q.idx.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }), CMPPREVDD_IDX: idxVs.toFixed(2),
      FLUC_TP_CD1: idxVs > 0 ? '1' : idxVs < 0 ? '2' : '3', FLUC_RT1: ((idxVs / q.idxPrev) * 100).toFixed(2),
    };
  });
}

function baseInfoRow(t: Ticker, paren: (n: number) => string): Record<string, string> {
  return {
    ISU_CD: t.isinCd, ISU_SRT_CD: t.srtnCd, ISU_NM: `${t.itmsNm}보통주`, ISU_ABBRV: t.itmsNm, ISU_ENG_NM: `${t.srtnCd} Co., Ltd.`,
    LIST_DD: t.listedFrom ? compactDate(t.listedFrom).replace(/(\d{4})(\d{2})(\d{2})/, '$1/$2/$3') : '2000/01/04', MKT_TP_NM: t.mrktCtg,
    SECUGRP_NM: '주권', SECT_TP_NM: dept(t, ''), KIND_STKCERT_TP_NM: t.srtnCd.endsWith('0') ? '보통주' : '우선주',
    PARVAL: paren(unit(t.seed, 18) < 0.5 ? 500 : 5000), LIST_SHRS: paren(t.lstgStCnt),
  };
}

const MARKET_KO: Record<string, string> = { KOSPI: '유가증권', KOSDAQ: '코스닥' };

function portalAnswer(params: URLSearchParams, nowMs: number): SimResponse {
  const bld = params.get('bld') ?? '';
  const out = (key: string, rows: object[]) => json(200, { [key]: rows, CURRENT_DATETIME: stamp(nowMs) }, HTML_JSON);
  const day = (): IsoDate | undefined => {
    const d = normalizeDate(params.get('trdDd') ?? '');
    return d && d <= kstDate(nowMs) ? d : undefined;
  };
  switch (bld) {
    case 'dbms/MDC/STAT/standard/MDCSTAT01501': {
      const d = day();
      return out('OutBlock_1', d ? portalDailyRows(params.get('mktId') ?? 'ALL', d) : []);
    }
    case 'dbms/MDC/STAT/standard/MDCSTAT04301': {
      const d = day();
      return out('output', d ? portalEtfRows(d) : []);
    }
    case 'dbms/MDC/STAT/standard/MDCSTAT01901': {
      const mkt = params.get('mktId') ?? 'ALL';
      const market = mkt === 'ALL' ? 'ALL' : MARKET_IDS[mkt];
      return out('OutBlock_1', market ? listedOn(kstDate(nowMs), market).map((t) => baseInfoRow(t, commas)) : []);
    }
    case 'dbms/comm/finder/finder_stkisu': {
      const sel = params.get('mktsel') ?? 'ALL';
      const market = sel === 'ALL' ? 'ALL' : MARKET_IDS[sel];
      const text = params.get('searchText') ?? '';
      const rows = market
        ? listedOn(kstDate(nowMs), market)
            .filter((t) => !text || t.itmsNm.includes(text) || t.srtnCd.includes(text))
            .map((t, i) => ({
              full_code: t.isinCd, short_code: t.srtnCd, codeName: t.itmsNm, marketCode: t.mrktCtg === 'KOSPI' ? 'STK' : 'KSQ',
              marketName: MARKET_KO[t.mrktCtg], marketEngName: t.mrktCtg, ord1: '', ord2: String(i + 1),
            }))
        : [];
      return json(200, { block1: rows }, HTML_JSON);
    }
  }
  return { status: 400, headers: { 'content-type': HTML_JSON }, body: 'Bad Request' };
}

export const KRX_LOGIN_PATHS = {
  start: '/contents/MDC/COMS/client/MDCCOMS001.cmd',
  form: '/contents/MDC/COMS/client/view/login.jsp',
  login: '/contents/MDC/COMS/client/MDCCOMS001D1.cmd',
  data: '/comm/bldAttendant/getJsonData.cmd',
  businessDay: '/comm/bldAttendant/executeForResourceBundle.cmd',
};

/** The portal's latest business day (B128.bld): the last market day whose close (15:30 KST) has passed. */
function latestBusinessDay(nowMs: number): IsoDate {
  let d = kstDate(nowMs);
  if (kstMinuteOfDay(nowMs) < 15 * 60 + 30) d = addDays(d, -1);
  for (let i = 0; i < 20 && !isMarketDay(d); i++) d = addDays(d, -1);
  return d;
}

const LOGIN_MESSAGES: Record<string, string> = {
  CD001: '정상',
  CD002: '아이디 또는 비밀번호가 일치하지 않습니다.',
  CD010: '비밀번호 변경이 필요합니다.',
  CD011: '중복 로그인입니다.',
};

const LOGOUT: SimResponse = { status: 400, headers: { 'content-type': HTML_JSON }, body: 'LOGOUT' };

function loginAnswer(code: string): SimResponse {
  return json(200, { _error_code: code, _error_message: LOGIN_MESSAGES[code] ?? '' }, HTML_JSON);
}

function cookie(req: SimRequest, name: string): string | undefined {
  const header = req.headers.cookie ?? '';
  return header.split(';').map((c) => c.trim().split('=')).find(([k]) => k === name)?.[1];
}

export function krxDataHandler(o: { login: { id: string; password: string }; now: () => number }): SourceHandler {
  /** JSESSIONID → the member logged in under it (undefined until the login succeeds). */
  const sessions = new Map<string, string | undefined>();
  const page = (body: string, session?: string): SimResponse => ({
    status: 200,
    headers: { 'content-type': HTML_JSON, ...(session ? { 'set-cookie': `JSESSIONID=${session}; Path=/; HttpOnly` } : {}) },
    body,
  });
  const newSession = () => {
    const id = randomBytes(12).toString('hex');
    sessions.set(id, undefined);
    return id;
  };
  return {
    admit(req) {
      const path = req.url.pathname;
      if (path === KRX_LOGIN_PATHS.data || path === KRX_LOGIN_PATHS.businessDay) {
        const member = sessions.get(cookie(req, 'JSESSIONID') ?? '');
        return member ? { key: member } : { refuse: LOGOUT };
      }
      if (Object.values(KRX_LOGIN_PATHS).includes(path)) return { key: 'login' };
      return { refuse: { status: 404, headers: { 'content-type': HTML_JSON }, body: 'Not Found' } };
    },
    date: (req) => normalizeDate(req.params.get('trdDd') ?? ''),
    answers(req): FaultAnswer {
      const path = req.url.pathname;
      const isLogin = path === KRX_LOGIN_PATHS.login;
      const normal = (): SimResponse => {
        if (path === KRX_LOGIN_PATHS.start) return page('<html><body>KRX Data Marketplace</body></html>', newSession());
        if (path === KRX_LOGIN_PATHS.form) return page('<html><body><form id="loginForm"></form></body></html>');
        if (isLogin) {
          let session = cookie(req, 'JSESSIONID');
          const fresh = !session || !sessions.has(session) ? newSession() : undefined;
          session = fresh ?? session!;
          const ok = req.params.get('mbrId') === o.login.id && req.params.get('pw') === o.login.password;
          if (ok) sessions.set(session, req.params.get('mbrId')!);
          const r = loginAnswer(ok ? 'CD001' : 'CD002');
          if (fresh) r.headers['set-cookie'] = `JSESSIONID=${fresh}; Path=/; HttpOnly`;
          return r;
        }
        if (path === KRX_LOGIN_PATHS.businessDay) return json(200, { result: { output: [{ max_work_dt: compactDate(latestBusinessDay(o.now())) }] } }, HTML_JSON);
        return portalAnswer(req.params, o.now());
      };
      const empty = () => json(200, { OutBlock_1: [], CURRENT_DATETIME: stamp(o.now()) }, HTML_JSON);
      const tooMany: SimResponse = { status: 429, headers: { 'content-type': HTML_JSON }, body: 'Too Many Requests' };
      return {
        normal,
        noData: empty,
        // A duplicate login is cleared by asking again with skipDup=Y, as pykrx does.
        code: (code) => (code === 'LOGOUT' ? LOGOUT : !isLogin ? loginAnswer(code) : code === 'CD011' && req.params.get('skipDup') === 'Y' ? normal() : loginAnswer(code)),
        quota: () => tooMany,
        tps: () => tooMany,
        auth: () => (isLogin ? loginAnswer('CD010') : LOGOUT),
        appError: () => ({ status: 500, headers: { 'content-type': HTML_JSON }, body: '<html><body>Internal Server Error</body></html>' }),
      };
    },
  };
}

// ---- the Open API -----------------------------------------------------------------------------

const OPENAPI_MARKETS: Record<string, 'KOSPI' | 'KOSDAQ' | undefined> = { stk: 'KOSPI', ksq: 'KOSDAQ', knx: undefined };

/** Whether the Open API has published `date` by `nowMs`: after the close (16:00 KST) on the day itself. */
function openApiPublished(date: IsoDate, nowMs: number): boolean {
  const today = kstDate(nowMs);
  return date < today || (date === today && kstMinuteOfDay(nowMs) >= 16 * 60);
}

function openApiRows(path: string, basDd: string, nowMs: number): object[] | undefined {
  const m = /^(sto|etp)\/(\w+?)_(bydd_trd|isu_base_info)$/.exec(path);
  if (!m) return undefined;
  if (m[1] === 'etp' ? m[2] !== 'etf' || m[3] !== 'bydd_trd' : !(m[2] in OPENAPI_MARKETS)) return undefined;
  const date = normalizeDate(basDd);
  if (!date) return [];
  if (m[1] === 'etp') {
    if (!isMarketDay(date) || !openApiPublished(date, nowMs)) return [];
    return etfUniverse().map((e) => {
      const q = etfQuote(e, date);
      return {
        BAS_DD: basDd, ISU_CD: e.code, ISU_NM: e.name, TDD_CLSPRC: String(q.close), CMPPREVDD_PRC: String(q.close - q.prev),
        FLUC_RT: (((q.close - q.prev) / q.prev) * 100).toFixed(2), NAV: q.nav.toFixed(2), TDD_OPNPRC: String(q.open), TDD_HGPRC: String(q.high),
        TDD_LWPRC: String(q.low), ACC_TRDVOL: String(q.volume), ACC_TRDVAL: String(q.volume * q.close), MKTCAP: String(q.close * e.shares),
        INVSTASST_NETASST_TOTAMT: String(Math.round(q.nav * e.shares)), LIST_SHRS: String(e.shares), IDX_IND_NM: e.index,
        OBJ_STKPRC_IDX: q.idx.toFixed(2), CMPPREVDD_IDX: (q.idx - q.idxPrev).toFixed(2), FLUC_RT_IDX: (((q.idx - q.idxPrev) / q.idxPrev) * 100).toFixed(2),
      };
    });
  }
  const market = OPENAPI_MARKETS[m[2]];
  if (!market || !isMarketDay(date) || !openApiPublished(date, nowMs)) return [];
  if (m[3] === 'isu_base_info') return listedOn(date, market).map((t) => baseInfoRow(t, String));
  const q = quotesForDate(date, {}, TICKERS.filter((t) => t.mrktCtg === market));
  return q.tickers.map((t, i) => ({
    BAS_DD: basDd, ISU_CD: t.srtnCd, ISU_NM: t.itmsNm, MKT_NM: t.mrktCtg, SECT_TP_NM: dept(t, '-'), TDD_CLSPRC: String(q.close[i]),
    CMPPREVDD_PRC: String(q.vs[i]), FLUC_RT: rateText(q.rate[i]), TDD_OPNPRC: String(q.open[i]), TDD_HGPRC: String(q.high[i]),
    TDD_LWPRC: String(q.low[i]), ACC_TRDVOL: String(q.volume[i]), ACC_TRDVAL: String(q.value[i]), MKTCAP: String(q.close[i] * t.lstgStCnt),
    LIST_SHRS: String(t.lstgStCnt),
  }));
}

function openApiError(status: number, message: string): SimResponse {
  return json(status, { respMsg: message, respCode: String(status) });
}

export function krxOpenApiHandler(o: { keys: ReadonlySet<string>; now: () => number }): SourceHandler {
  return {
    admit(req) {
      if (openApiRows(req.path, '', 0) === undefined) return { refuse: openApiError(404, 'Not Found') };
      const key = req.headers.auth_key;
      const text = Array.isArray(key) ? key[0] : key;
      return text && o.keys.has(text) ? { key: text } : { refuse: openApiError(401, 'Unauthorized Key') };
    },
    date: (req) => normalizeDate(req.params.get('basDd') ?? ''),
    answers(req) {
      const basDd = req.params.get('basDd') ?? '';
      return {
        normal: () => (/^\d{8}$/.test(basDd) ? json(200, { OutBlock_1: openApiRows(req.path, basDd, o.now()) ?? [] }) : openApiError(400, 'Bad Request: basDd')),
        noData: () => json(200, { OutBlock_1: [] }),
        code: (code) => openApiError(Number(code) || 500, `error ${code}`),
        quota: () => openApiError(429, 'Too Many Requests: daily limit exceeded'),
        tps: () => openApiError(429, 'Too Many Requests'),
        auth: () => openApiError(401, 'Unauthorized Key'),
        appError: () => openApiError(500, 'Internal Server Error'),
      };
    },
  };
}
