/**
 * finlife on the simulator through the real FinlifeClient: the six product services paged to
 * max_page_no (60 pages for annuity funds), options joined to their products, and every err_cd.
 */
import { SIMULATOR_FINLIFE_KEY, simulatorBaseUrls } from '../config/simulator-endpoints';
import { PRODUCT_COUNTS, pageSize } from '../dev/simulator/finlife';
import { startSimulator, type Simulator } from '../dev/simulator/server';
import { FinlifeClient } from '../sources/fss/client';
import { PRODUCT_TYPES, TOP_FIN_GRP, type FinlifeProductType } from '../sources/fss/products';
import { RequestPacer } from '../sources/http';
import { failureOf, faultOnce } from './helpers/simulator-clients';
import { testClock } from './helpers/clock';

let sim: Simulator;
let client: FinlifeClient;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, now: testClock });
  client = new FinlifeClient({ baseUrl: simulatorBaseUrls(sim.url).finlife, auth: SIMULATOR_FINLIFE_KEY, timeoutMs: 10_000, pacer: new RequestPacer(1_000) });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

test.each(Object.keys(PRODUCT_TYPES) as FinlifeProductType[])('%s: every sector paged to the end, every option joined', async (type) => {
  const service = PRODUCT_TYPES[type].service as keyof typeof PRODUCT_COUNTS;
  for (const sector of Object.values(TOP_FIN_GRP)) {
    const r = await client.products(type, { topFinGrpNo: sector });
    const expected = PRODUCT_COUNTS[service][sector] ?? 0;
    expect(r.products).toHaveLength(expected);
    expect(r.totalCount).toBe(expected);
    expect(r.pages).toBe(Math.max(1, Math.ceil(expected / pageSize(service, sector))));
    expect(r.orphanOptions).toEqual([]);
    expect(r.duplicateProducts).toBe(0);
    expect(r.products.every((p) => p.options.length > 0 && p.base.fin_co_no && p.base.fin_prdt_cd)).toBe(true);
  }
});

test('annuity funds of the investment sector come five a page: 297 products over 60 pages', async () => {
  const r = await client.products('annuitySaving', { topFinGrpNo: TOP_FIN_GRP.investment });
  expect(r).toMatchObject({ totalCount: 297, pages: 60 });
  expect(sim.stats().bySource.finlife.requests).toBe(60);
});

test('financeCd narrows to one company', async () => {
  const all = await client.products('deposit', { topFinGrpNo: TOP_FIN_GRP.bank });
  const co = all.products[0].base.fin_co_no;
  const one = await client.products('deposit', { topFinGrpNo: TOP_FIN_GRP.bank, financeCd: co });
  expect(one.products.length).toBeGreaterThan(0);
  expect(one.products.every((p) => p.base.fin_co_no === co)).toBe(true);
});

test.each([
  ['010', 'non-retryable'], ['011', 'non-retryable'], ['012', 'non-retryable'], ['013', 'non-retryable'], ['020', 'rate-limited'],
  ['021', 'non-retryable'], ['100', 'non-retryable'], ['101', 'non-retryable'], ['900', 'retryable'],
])('err_cd %s lands in %s', async (code, cls) => {
  faultOnce(sim, 'finlife', { kind: 'code', code });
  expect(await failureOf(client.products('saving', { topFinGrpNo: TOP_FIN_GRP.bank }))).toMatchObject({ cls, code });
});

test('an HTTP 503 fails the listing as retryable; a wrong key is 010', async () => {
  sim.setFaults({ rules: [{ source: 'finlife', kind: 'http503', probability: 1, times: 1 }] });
  expect(await failureOf(client.products('saving', { topFinGrpNo: TOP_FIN_GRP.savingsBank }))).toMatchObject({ cls: 'retryable', code: 'HTTP503' });
  const wrong = new FinlifeClient({ baseUrl: sim.url, auth: 'wrong', timeoutMs: 5_000, pacer: new RequestPacer(1_000) });
  expect(await failureOf(wrong.products('deposit', { topFinGrpNo: TOP_FIN_GRP.bank }))).toMatchObject({ cls: 'non-retryable', code: '010' });
});
