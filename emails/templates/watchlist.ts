/** Template of the 08:00 watchlist score alert (seed 001 Part 1.2: ±5 points). */
import type { WatchlistMoves } from '../../db/watchlists';
import { esc, koDate, moveColor, num, page, signed, table } from '../format';

export function renderWatchlistEmail(u: WatchlistMoves, threshold: number): { subject: string; html: string; text: string } {
  const subject = `[Compass] 관심 종목 ${u.moves.length}개의 Compass Score가 ${num(threshold, 0)}점 이상 움직였습니다 (${koDate(u.scoreDate)})`;
  const body = page(
    `${u.name}님의 관심 종목 점수 변동`,
    `관심 종목 ${u.watched}개 중 ${u.moves.length}개의 Compass Score가 직전 산출 대비 ${num(threshold, 0)}점 이상 변했습니다. 기준일: ${koDate(u.scoreDate)}.`,
    [
      {
        title: '점수 변동 종목',
        html: table(
          ['종목', '직전 점수', '현재 점수', '변동'],
          u.moves.map((m) => [
            esc(`${m.name} (${m.ticker})`), esc(num(m.previous, 1)), esc(num(m.score, 1)),
            `<span style="color:${moveColor(m.change)}">${esc(signed(m.change, 1))}</span>`,
          ]),
        ),
        text: u.moves.map((m) => `- ${m.name} (${m.ticker}): ${num(m.previous, 1)} → ${num(m.score, 1)} (${signed(m.change, 1)}점)`).join('\n'),
      },
    ],
    '이 알림은 Compass 스케줄러(watchlist-score-alerts)가 매일 08:00(KST)에 보냅니다. 관심 종목은 서비스에서 바꿀 수 있습니다.',
  );
  return { subject, ...body };
}
