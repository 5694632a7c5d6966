/**
 * The data.go.kr simulator over real HTTP: wire format, publication timing, determinism and
 * every fault kind. The server runs on a random port with a controllable clock.
 */
import { addDays, compactDate } from '../calendar/trading-calendar';
import { TICKERS, isMarketDay, previousMarketDay, quotesForDate, rowFor, rowsForDate } from '../dev/simulator/market';
import { serializeDay } from '../dev/simulator/serialize';
import { startSimulator, type FaultRule, type Simulator } from '../dev/simulator/server';
import { testClock } from './helpers/clock';

const PATH = '/1160100/service/GetStockSecuritiesInfoService/getStockPriceInfo';
const KEY = 'sim-datagokr-key';
// Key order of datagokr__getStockPriceInfo__ok.json (the captured real body).
const ITEM_FIELDS = [
  'basDt', 'srtnCd', 'isinCd', 'itmsNm', 'mrktCtg', 'clpr', 'vs', 'fltRt', 'mkp', 'hipr', 'lopr', 'trqu', 'trPrc',
  'lstgStCnt', 'mrktTotAmt',
];
const LATE = Date.parse('2024-06-30T00:00:00Z');

interface Item {
  [field: string]: string;
}
interface Envelope {
  response: {
    header: { resultCode: string; resultMsg: string };
    body?: { numOfRows: number; pageNo: number; totalCount: number; items: '' | { item: Item[] } };
  };
}

let clock = LATE;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: () => clock });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  clock = LATE;
});

function apiUrl(params: Record<string, string | number>, key: string | null = KEY): string {
  const q = new URLSearchParams({ resultType: 'json', ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  if (key !== null) q.set('serviceKey', key);
  return `${sim.url}${PATH}?${q}`;
}

async function call(params: Record<string, string | number>, key: string | null = KEY) {
  const res = await fetch(apiUrl(params, key));
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function getJson(params: Record<string, string | number>): Promise<Envelope> {
  const r = await call(params);
  expect(r.status).toBe(200);
  return JSON.parse(r.text) as Envelope;
}

function items(env: Envelope): Item[] {
  const it = env.response.body?.items;
  return it ? it.item : [];
}

async function post(path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('wire format', () => {
  test('a trading day has the whole market in the exact envelope of the real API', async () => {
    const r = await call({ basDt: '20240105', numOfRows: 3000 });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const env = JSON.parse(r.text) as Envelope;
    expect(Object.keys(env)).toEqual(['response']);
    expect(Object.keys(env.response)).toEqual(['header', 'body']);
    expect(env.response.header).toEqual({ resultCode: '00', resultMsg: 'NORMAL SERVICE.' });
    expect(Object.keys(env.response.body!)).toEqual(['numOfRows', 'pageNo', 'totalCount', 'items']);
    expect(env.response.body).toMatchObject({ numOfRows: 3000, pageNo: 1 });

    const rows = items(env);
    expect(rows.length).toBe(env.response.body!.totalCount);
    expect(rows.length).toBeGreaterThan(2800);
    expect(rows.length).toBeLessThanOrEqual(2900);
    // One assertion over all rows: ~45,000 expect() calls would dominate the suite's run time.
    const misshapen = rows.filter(
      (row) => Object.keys(row).join() !== ITEM_FIELDS.join() || Object.values(row).some((v) => typeof v !== 'string'),
    );
    expect(misshapen).toEqual([]);
    expect(rows.find((x) => x.srtnCd === '005930')).toMatchObject({
      itmsNm: '삼성전자', isinCd: 'KR7005930003', mrktCtg: 'KOSPI', basDt: '20240105',
    });
    expect(rows.find((x) => x.srtnCd === '00104K')?.itmsNm).toBe('CJ4우(전환)');
    expect(rows.find((x) => x.srtnCd === '060310')?.mrktCtg).toBe('KOSDAQ');
    const codes = rows.map((x) => x.srtnCd);
    expect([...codes].sort()).toEqual(codes);
    expect(new Set(codes).size).toBe(codes.length);
    // The market module is the oracle other tests and code use.
    expect(JSON.stringify(rows)).toBe(JSON.stringify(rowsForDate('2024-01-05')));
  });

  test('pages of 1000 are disjoint and add up to totalCount', async () => {
    const pages = await Promise.all([1, 2, 3, 4].map((pageNo) => getJson({ basDt: '20240105', numOfRows: 1000, pageNo })));
    const total = pages[0].response.body!.totalCount;
    for (const p of pages) expect(p.response.body!.totalCount).toBe(total);
    const seen = new Set<string>();
    let sum = 0;
    for (const p of pages) {
      for (const row of items(p)) seen.add(row.srtnCd);
      sum += items(p).length;
    }
    expect(items(pages[0])).toHaveLength(1000);
    expect(pages[3].response.body!.items).toBe('');
    expect(sum).toBe(total);
    expect(seen.size).toBe(total);
  });

  test('likeSrtnCd filters by prefix and counts only what matches', async () => {
    const env = await getJson({ basDt: '20240105', likeSrtnCd: '00593' });
    expect(items(env).map((x) => x.srtnCd)).toEqual(['005930', '005935']);
    expect(env.response.body!.totalCount).toBe(2);
  });

  test('filtered pages slice the filtered list', async () => {
    const all = rowsForDate('2024-01-05').filter((r) => r.srtnCd.startsWith('0'));
    const env = await getJson({ basDt: '20240105', likeSrtnCd: '0', numOfRows: 5, pageNo: 2 });
    expect(env.response.body!.totalCount).toBe(all.length);
    expect(items(env)).toEqual(all.slice(5, 10));
    const kosdaq = await getJson({ basDt: '20240105', mrktCls: 'KOSDAQ', numOfRows: 3000 });
    expect(items(kosdaq).every((r) => r.mrktCtg === 'KOSDAQ')).toBe(true);
    expect(items(kosdaq).length).toBeGreaterThan(1900);
  });

  test('the byte serializer writes exactly the rows of the market module', () => {
    let halted = 0;
    for (const date of ['2020-01-02', '2021-06-15', '2022-09-30', '2023-03-14', '2025-11-03', '2026-12-30']) {
      const rows = rowsForDate(date);
      halted += rows.filter((r) => r.mkp === '0').length;
      // Compared as text: jest's deep equality over ~3,000 objects takes seconds.
      expect(`[${serializeDay(quotesForDate(date)).json.toString('utf8')}]`).toBe(JSON.stringify(rows));
    }
    expect(halted).toBeGreaterThan(0);
  });

  test('without resultType the same data comes as XML', async () => {
    const r = await call({ basDt: '20240105', likeSrtnCd: '005930', resultType: '' });
    expect(r.text).toMatch(/^<\?xml/);
    expect(r.text).toContain('<resultCode>00</resultCode>');
    expect(r.text).toContain('<totalCount>1</totalCount>');
    expect(r.text).toContain(`<clpr>${rowFor('005930', '2024-01-05')!.clpr}</clpr>`);
  });

  test('a malformed basDt is resultCode 10, an unknown operation 12, other paths 404', async () => {
    expect((await getJson({ basDt: '2024-01-05' })).response).toEqual({
      header: { resultCode: '10', resultMsg: 'INVALID_REQUEST_PARAMETER_ERROR' },
    });
    expect((await getJson({ basDt: '20240231' })).response.header.resultCode).toBe('10');
    const wrongOp = await fetch(`${sim.url}/1160100/service/GetStockSecuritiesInfoService/getNothing?resultType=json`);
    expect(await wrongOp.json()).toEqual({ response: { header: { resultCode: '12', resultMsg: 'NO_OPENAPI_SERVICE_ERROR' } } });
    expect((await fetch(`${sim.url}/nope`)).status).toBe(404);
  });
});

describe('market semantics', () => {
  test('answers are deterministic', async () => {
    const a = await call({ basDt: '20230314', numOfRows: 3000 });
    const b = await call({ basDt: '20230314', numOfRows: 3000 });
    expect(a.text).toBe(b.text);
  });

  test('vs is the change from the previous trading day, across weekends and holidays', async () => {
    // 2024-02-09 and 02-12 are KRX holidays: the day before 02-13 is 02-08.
    for (const [day, prev] of [['20240105', '20240104'], ['20240213', '20240208'], ['20240108', '20240105']]) {
      const [today] = items(await getJson({ basDt: day, likeSrtnCd: '005930' }));
      const [before] = items(await getJson({ basDt: prev, likeSrtnCd: '005930' }));
      expect(Number(today.vs)).toBe(Number(today.clpr) - Number(before.clpr));
      const rate = (Number(today.vs) / Number(before.clpr)) * 100;
      expect(Number(today.fltRt)).toBeCloseTo(rate, 2);
    }
  });

  test('a weekend, a KRX holiday and an unpublished day are empty', async () => {
    for (const basDt of ['20240106', '20240212', '20191230', '20280103']) {
      const env = await getJson({ basDt });
      expect(env.response.header.resultCode).toBe('00');
      expect(env.response.body).toMatchObject({ totalCount: 0, items: '' });
    }
    clock = Date.parse('2024-01-05T06:44:59Z'); // 15:44:59 KST
    expect((await getJson({ basDt: '20240105' })).response.body).toMatchObject({ totalCount: 0, items: '' });
    clock = Date.parse('2024-01-05T06:45:00Z'); // 15:45 KST, the default publish time
    expect(items(await getJson({ basDt: '20240105', numOfRows: 5 }))).toHaveLength(5);
  });

  test('prices follow KRX conventions', () => {
    let samsungMin = Infinity;
    let samsungMax = 0;
    for (let d = '2020-01-02'; d <= '2026-12-30'; d = addDays(d, 7)) {
      const row = rowFor('005930', d);
      if (!row) continue;
      samsungMin = Math.min(samsungMin, Number(row.clpr));
      samsungMax = Math.max(samsungMax, Number(row.clpr));
    }
    expect(samsungMin).toBeGreaterThanOrEqual(50_000);
    expect(samsungMax).toBeLessThanOrEqual(100_000);
    expect(samsungMin % 100).toBe(0); // tick size 100 between 50,000 and 200,000

    const bad = rowsForDate('2023-03-14').filter((r) => {
      if (r.mkp === '0') return false;
      const [o, h, l, c] = [r.mkp, r.hipr, r.lopr, r.clpr].map(Number);
      return (
        l > Math.min(o, c) ||
        h < Math.max(o, c) ||
        /^-?0\d|^-?0\.|\.\d*0$/.test(r.fltRt) || // ".81", "-.06", never "0.81" or "2.50"
        Number(r.mrktTotAmt) !== c * Number(r.lstgStCnt)
      );
    });
    expect(bad).toEqual([]);
    expect(TICKERS.filter((t) => t.mrktCtg === 'KOSPI')).toHaveLength(950);
    expect(TICKERS.filter((t) => t.mrktCtg === 'KOSDAQ')).toHaveLength(1950);
  });

  test('halted rows look like KRX halted rows and listings have bounds', () => {
    let halted;
    for (let d = '2023-01-02'; !halted && d < '2023-03-01'; d = addDays(d, 1)) halted = rowsForDate(d).find((r) => r.mkp === '0');
    expect(halted).toBeDefined();
    const date = `${halted!.basDt.slice(0, 4)}-${halted!.basDt.slice(4, 6)}-${halted!.basDt.slice(6)}`;
    expect(halted).toMatchObject({ vs: '0', fltRt: '0', hipr: '0', lopr: '0', trqu: '0', trPrc: '0' });
    expect(halted!.clpr).toBe(rowFor(halted!.srtnCd, previousMarketDay(date))!.clpr);

    const late = TICKERS.find((t) => t.listedFrom && t.listedFrom > '2021-01-01')!;
    const before = previousMarketDay(late.listedFrom!);
    expect(rowFor(late.srtnCd, before)).toBeUndefined();
    let first = late.listedFrom!;
    while (!isMarketDay(first)) first = addDays(first, 1);
    expect(rowFor(late.srtnCd, first)?.basDt).toBe(compactDate(first));
    const gone = TICKERS.find((t) => t.delistedAfter)!;
    expect(rowFor(gone.srtnCd, addDays(gone.delistedAfter!, 7))).toBeUndefined();
  });
});

describe('gateway', () => {
  test('a wrong key is 401 with the XML envelope code 30, a missing one code 20', async () => {
    const wrong = await call({ basDt: '20240105' }, 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toBe('text/xml;charset=UTF-8');
    expect(wrong.text).toBe(
      '<OpenAPI_ServiceResponse>\n\t<cmmMsgHeader>\n\t\t<errMsg>SERVICE ERROR</errMsg>\n' +
        '\t\t<returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>\n' +
        '\t\t<returnReasonCode>30</returnReasonCode>\n\t</cmmMsgHeader>\n</OpenAPI_ServiceResponse>',
    );
    const missing = await call({ basDt: '20240105' }, null);
    expect(missing.status).toBe(401);
    expect(missing.text).toContain('<returnAuthMsg>SERVICE_KEY_IS_NULL</returnAuthMsg>');
    expect(missing.text).toContain('<returnReasonCode>20</returnReasonCode>');
  });

  test('rps limiting answers code 23 beyond the bucket', async () => {
    sim.setFaults({ rps: 2 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => call({ basDt: '20240105', likeSrtnCd: '005930' })));
    const limited = answers.filter((a) => a.text.includes('<returnReasonCode>23</returnReasonCode>'));
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(limited.every((a) => a.status === 200)).toBe(true);
    expect(answers.length - limited.length).toBeGreaterThanOrEqual(2);
    expect(sim.stats().faultsByKind.rps).toBe(limited.length);
  });
});

describe('faults', () => {
  type Check = (r: { status: number; headers: Headers; text: string }) => void;
  const xmlCode = (code: number, status: number): Check => (r) => {
    expect(r.status).toBe(status);
    expect(r.text).toContain('<OpenAPI_ServiceResponse>');
    expect(r.text).toContain(`<returnReasonCode>${code}</returnReasonCode>`);
  };
  const resultCode = (code: string): Check => (r) => {
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as Envelope).response.header.resultCode).toBe(code);
  };
  const cases: [FaultRule, Check][] = [
    [{ kind: 'http500' }, (r) => { expect(r.status).toBe(500); expect(r.text).toBe('<html><body>Internal Server Error</body></html>'); }],
    [{ kind: 'http503' }, (r) => { expect(r.status).toBe(503); expect(r.text).toMatch(/^<html><body>/); }],
    [{ kind: 'http429', retryAfterSec: 7 }, (r) => { expect(r.status).toBe(429); expect(r.headers.get('retry-after')).toBe('7'); expect(r.text).toBe(''); }],
    [{ kind: 'tps' }, xmlCode(23, 200)],
    [{ kind: 'quota' }, xmlCode(22, 200)],
    [{ kind: 'auth' }, xmlCode(30, 401)],
    [{ kind: 'appError' }, (r) => { expect(r.status).toBe(200); expect(JSON.parse(r.text)).toEqual({ response: { header: { resultCode: '01', resultMsg: 'APPLICATION_ERROR' } } }); }],
    [{ kind: 'noData' }, resultCode('03')],
    [{ kind: 'malformed' }, (r) => { expect(r.status).toBe(200); expect(r.text.startsWith('{"response":')).toBe(true); expect(() => JSON.parse(r.text)).toThrow(); }],
    [{ kind: 'closed' }, (r) => expect((JSON.parse(r.text) as Envelope).response.body).toMatchObject({ totalCount: 0, items: '' })],
  ];

  test.each(cases)('%o is served for `times` requests, then normal answers resume', async (rule, check) => {
    sim.setFaults({ rules: [{ ...rule, times: 2 }] });
    for (let i = 0; i < 2; i++) check(await call({ basDt: '20240105', likeSrtnCd: '00593' }));
    const normal = await getJson({ basDt: '20240105', likeSrtnCd: '00593' });
    expect(items(normal)).toHaveLength(2);
    expect(sim.stats().faultsServed).toBe(2);
  });

  test('gatewayFormat json sends the gateway envelope as JSON, same status; other answers are unchanged', async () => {
    const gatewayJson = (code: string, msg: string, status: number): Check => (r) => {
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(JSON.parse(r.text)).toEqual({ OpenAPI_ServiceResponse: { cmmMsgHeader: { errMsg: 'SERVICE ERROR', returnAuthMsg: msg, returnReasonCode: code } } });
    };
    const cases: [FaultRule, Check][] = [
      [{ kind: 'quota' }, gatewayJson('22', 'LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR', 200)],
      [{ kind: 'auth' }, gatewayJson('30', 'SERVICE_KEY_IS_NOT_REGISTERED_ERROR', 401)],
      [{ kind: 'code', code: '23' }, gatewayJson('23', 'LIMITED_NUMBER_OF_SERVICE_REQUESTS_PER_SECOND_EXCEEDS_ERROR', 200)],
      [{ kind: 'appError' }, resultCode('01')],
    ];
    for (const [rule, check] of cases) {
      sim.setFaults({ rules: [{ ...rule, gatewayFormat: 'json', times: 1 }] });
      check(await call({ basDt: '20240105', likeSrtnCd: '005930' }));
    }
    expect(() => sim.setFaults({ rules: [{ kind: 'quota', gatewayFormat: 'yaml' as never }] })).toThrow(/gatewayFormat/);
  });

  test('hang stalls the answer past a client timeout, then answers resume', async () => {
    sim.setFaults({ rules: [{ kind: 'hang', times: 1, hangMs: 5_000 }] });
    await expect(fetch(apiUrl({ basDt: '20240105', likeSrtnCd: '005930' }), { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect(items(await getJson({ basDt: '20240105', likeSrtnCd: '005930' }))).toHaveLength(1);
  });

  test('dates restricts a rule to those basDt values, in either spelling', async () => {
    sim.setFaults({ rules: [{ kind: 'http500', dates: ['2024-01-05', '20240108'] }] });
    expect((await call({ basDt: '20240104' })).status).toBe(200);
    expect((await call({ basDt: '20240105' })).status).toBe(500);
    expect((await call({ basDt: '20240108' })).status).toBe(500);
    expect((await call({ basDt: '20240109' })).status).toBe(200);
  });

  test('probability is a repeatable pseudo-random share', async () => {
    const pattern = async () => {
      sim.setFaults({ rules: [{ kind: 'http503', probability: 0.5 }] });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await call({ basDt: '20240105', likeSrtnCd: '005930' })).status);
      return out;
    };
    const first = await pattern();
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect(await pattern()).toEqual(first);
  });

  test('extraClosedDates empties the day and moves the previous close', async () => {
    sim.setFaults({ extraClosedDates: ['2024-01-04'] });
    expect((await getJson({ basDt: '20240104' })).response.body).toMatchObject({ totalCount: 0, items: '' });
    const [today] = items(await getJson({ basDt: '20240105', likeSrtnCd: '005930' }));
    const [before] = items(await getJson({ basDt: '20240103', likeSrtnCd: '005930' }));
    expect(Number(today.vs)).toBe(Number(today.clpr) - Number(before.clpr));
  });

  test('latencyMs delays every answer', async () => {
    sim.setFaults({ latencyMs: 120 });
    const t0 = Date.now();
    await call({ basDt: '20240105', likeSrtnCd: '005930' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });
});

describe('control endpoints', () => {
  test('faults, stats and reset over HTTP', async () => {
    expect(await (await fetch(`${sim.url}/healthz`)).json()).toEqual({ ok: true });
    const plan = { rules: [{ kind: 'noData', times: 1 }] };
    expect((await post('/__sim/faults', plan)).status).toBe(200);
    expect(await (await fetch(`${sim.url}/__sim/faults`)).json()).toEqual(plan);
    expect((await post('/__sim/faults', { rules: [{ kind: 'meteor' }] })).status).toBe(400);

    await call({ basDt: '20240105', likeSrtnCd: '0059' });
    await call({ basDt: '20240105', likeSrtnCd: '0059' });
    await call({ basDt: '20240104', likeSrtnCd: '0059' });
    await call({ basDt: '20240104' }, 'bad-key');
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      requests: 4,
      byStatus: { '200': 3, '401': 1 },
      byDate: { '20240105': 2, '20240104': 2 },
      faultsServed: 1,
    });

    expect((await post('/__sim/reset')).status).toBe(200);
    expect(sim.stats()).toMatchObject({ requests: 0, byDate: {}, faultsServed: 0 });
    expect(sim.faults()).toEqual({});
  });

  test('close() does not wait for a hanging request', async () => {
    const other = await startSimulator({ port: 0, now: testClock, faults: { rules: [{ kind: 'hang', hangMs: 30_000 }] } });
    const pending = fetch(`${other.url}${PATH}?serviceKey=${KEY}&resultType=json&basDt=20240105`).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await other.close();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(await pending).toBe('aborted');
  });
});
