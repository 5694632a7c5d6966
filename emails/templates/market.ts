/**
 * Template of the 07:30 daily market email (seed 001 Part 1.2): the four indices, KRX breadth and
 * movers, Compass Score highlights, each section with its as-of date and, when its data is
 * stale, a warning in the section itself.
 */
import type { PriceSummary, ScoreSummary } from '../../db/market-email';
import { esc, koDate, moveColor, num, page, pct, type Section, signed, table } from '../format';

export interface IndexLine {
  /** KOSPI, KOSDAQ, S&P 500, NASDAQ. */
  label: string;
  symbol: string;
  tradeDate: string | null;
  close: number | null;
  change: number | null;
  changeRate: number | null;
  /** Why this figure is not current (older than expected, or the source failed); null when it is. */
  stale: string | null;
}

export interface MarketEmailData {
  /** The email's date (Korea). */
  date: string;
  /** The trading day the Korean figures should be for: the last one before `date`. */
  expectedTradeDate: string;
  indices: IndexLine[];
  prices: PriceSummary & { stale: string | null };
  score: ScoreSummary & { stale: string | null };
}

const MARKET_NAMES: Record<string, string> = { KOSPI: '코스피', KOSDAQ: '코스닥', KONEX: '코넥스' };

/** The lines of a list, or one saying it is empty. */
function orNone(lines: string[]): string[] {
  return lines.length ? lines : ['  · 없음'];
}

function colored(v: number | null, text: string): string {
  return `<span style="color:${moveColor(v)}">${esc(text)}</span>`;
}

function indexSection(d: MarketEmailData): Section {
  const stale = d.indices.filter((i) => i.stale);
  return {
    title: '주요 지수',
    warning: stale.length ? `최신이 아닌 지수가 있습니다: ${stale.map((i) => `${i.label} (${i.stale})`).join(', ')}` : undefined,
    html: table(
      ['지수', '종가', '변동', '등락률', '기준일'],
      d.indices.map((i) => [
        esc(i.label), esc(num(i.close)), colored(i.change, signed(i.change)), colored(i.changeRate, pct(i.changeRate)), esc(koDate(i.tradeDate)),
      ]),
    ),
    text: d.indices.map((i) => `- ${i.label}: ${num(i.close)} (${signed(i.change)}, ${pct(i.changeRate)}) · 기준일 ${koDate(i.tradeDate)}`).join('\n'),
  };
}

function breadthSection(d: MarketEmailData): Section {
  const p = d.prices;
  const asOf = `기준일: ${koDate(p.tradeDate)}`;
  if (!p.tradeDate) return { title: '국내 시장 등락', warning: p.stale ?? undefined, html: '<p>시세 데이터가 없습니다.</p>', text: '시세 데이터가 없습니다.' };
  const mover = (m: PriceSummary['gainers'][number]) => [esc(`${m.name} (${m.ticker})`), esc(MARKET_NAMES[m.market] ?? m.market), esc(num(m.close, 0)), colored(m.changeRate, pct(m.changeRate))];
  const moverText = (m: PriceSummary['gainers'][number]) => `  · ${m.name} (${m.ticker}) ${num(m.close, 0)}원 ${pct(m.changeRate)}`;
  return {
    title: '국내 시장 등락',
    warning: p.stale ?? undefined,
    html: [
      `<p>${esc(asOf)}</p>`,
      table(['시장', '상승', '하락', '보합'], p.breadth.map((b) => [esc(MARKET_NAMES[b.market] ?? b.market), colored(1, String(b.advancers)), colored(-1, String(b.decliners)), String(b.unchanged)])),
      '<h3 style="font-size:14px">상승률 상위</h3>',
      table(['종목', '시장', '종가', '등락률'], p.gainers.map(mover)),
      '<h3 style="font-size:14px">하락률 상위</h3>',
      table(['종목', '시장', '종가', '등락률'], p.losers.map(mover)),
    ].join('\n'),
    text: [
      asOf,
      ...p.breadth.map((b) => `- ${MARKET_NAMES[b.market] ?? b.market}: 상승 ${b.advancers} / 하락 ${b.decliners} / 보합 ${b.unchanged}`),
      '상승률 상위:',
      ...orNone(p.gainers.map(moverText)),
      '하락률 상위:',
      ...orNone(p.losers.map(moverText)),
    ].join('\n'),
  };
}

function scoreSection(d: MarketEmailData): Section {
  const s = d.score;
  const asOf = `기준일: ${koDate(s.scoreDate)} · 산출 종목 ${s.scored.toLocaleString('ko-KR')}개`;
  if (!s.scoreDate) return { title: 'Compass Score 하이라이트', warning: s.stale ?? undefined, html: '<p>Compass Score가 아직 없습니다.</p>', text: 'Compass Score가 아직 없습니다.' };
  const row = (r: ScoreSummary['top'][number]) => [esc(`${r.name} (${r.ticker})`), esc(num(r.score, 1)), colored(r.change, signed(r.change, 1))];
  const rowText = (r: ScoreSummary['top'][number]) => `  · ${r.name} (${r.ticker}) ${num(r.score, 1)}점 (${signed(r.change, 1)})`;
  return {
    title: 'Compass Score 하이라이트',
    warning: s.stale ?? undefined,
    html: [
      `<p>${esc(asOf)}</p>`,
      '<h3 style="font-size:14px">점수 상위</h3>',
      table(['종목', '점수', '변동'], s.top.map(row)),
      '<h3 style="font-size:14px">점수 상승</h3>',
      table(['종목', '점수', '변동'], s.risers.map(row)),
      '<h3 style="font-size:14px">점수 하락</h3>',
      table(['종목', '점수', '변동'], s.fallers.map(row)),
    ].join('\n'),
    text: [asOf, '점수 상위:', ...orNone(s.top.map(rowText)), '점수 상승:', ...orNone(s.risers.map(rowText)), '점수 하락:', ...orNone(s.fallers.map(rowText))].join('\n'),
  };
}

export function marketEmailSubject(d: MarketEmailData): string {
  const stale = d.prices.stale || d.score.stale || d.indices.some((i) => i.stale);
  return `[Compass] ${koDate(d.date)} 일일 시장 요약${stale ? ' (일부 데이터 지연)' : ''}`;
}

export function renderMarketEmail(d: MarketEmailData): { subject: string; html: string; text: string } {
  const subject = marketEmailSubject(d);
  const body = page(
    subject.replace('[Compass] ', ''),
    `${koDate(d.expectedTradeDate)} 장 마감 기준 국내 시장과 해외 지수, Compass Score를 정리했습니다.`,
    [indexSection(d), breadthSection(d), scoreSection(d)],
    '이 메일은 Compass 스케줄러(daily-market-email)가 매일 07:30(KST)에 보냅니다. 투자 판단의 참고 자료이며 투자 권유가 아닙니다.',
  );
  return { subject, ...body };
}
