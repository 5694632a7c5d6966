import { ApplicationFailure } from '@temporalio/common';
import {
  CalendarRangeError, isTradingDay, kstDate, kstMinuteOfDay, tradingDayOnOrBefore, tradingDaysBetween, weekdayHolidays,
} from '../calendar/trading-calendar';

describe('KRX trading calendar', () => {
  it('closes on weekends and KRX holidays', () => {
    expect(isTradingDay('2026-11-20')).toBe(true); // Friday
    expect(isTradingDay('2026-11-21')).toBe(false); // Saturday
    expect(isTradingDay('2026-09-24')).toBe(false); // Chuseok
    expect(isTradingDay('2026-12-31')).toBe(false); // year-end closure
    expect(isTradingDay('2026-05-25')).toBe(false); // substitute holiday for Buddha's Birthday
    expect(isTradingDay('2024-04-10')).toBe(false); // general election
  });

  it('counts trading days and finds the last one on or before a date', () => {
    expect(tradingDaysBetween('2024-02-08', '2024-02-14')).toEqual(['2024-02-08', '2024-02-13', '2024-02-14']);
    expect(tradingDayOnOrBefore('2026-11-22')).toBe('2026-11-20');
    expect(tradingDayOnOrBefore('2026-01-01')).toBe('2025-12-30');
  });

  it('converts instants to the Korean date and time', () => {
    expect(kstDate(Date.UTC(2026, 10, 21, 15, 0))).toBe('2026-11-22'); // 00:00 KST
    expect(kstDate(Date.UTC(2026, 10, 21, 14, 59))).toBe('2026-11-21');
    expect(kstMinuteOfDay(Date.UTC(2026, 10, 20, 7, 30))).toBe(16 * 60 + 30);
  });

  it('refuses dates it has no holiday data for, instead of guessing', () => {
    expect(() => isTradingDay('2031-03-03')).toThrow(CalendarRangeError);
    expect(() => isTradingDay('2024-02-30')).toThrow(TypeError);
  });

  it('refuses them as a non-retryable ApplicationFailure naming the date, the years covered and the fix', () => {
    let err: unknown;
    try {
      tradingDayOnOrBefore('2028-01-04');
    } catch (e) {
      err = e;
    }
    // An ApplicationFailure fails a workflow (a plain Error would fail its task, retried forever).
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toBeInstanceOf(CalendarRangeError);
    expect(err).toMatchObject({ name: 'CalendarRangeError', type: 'CalendarRangeError', nonRetryable: true });
    expect((err as Error).message).toBe(
      "KRX holiday calendar covers 2020-2027; 2028-01-04 is outside it. Add 2028's KRX holidays to calendar/krx-holidays.json and extend firstYear/lastYear to it.",
    );
  });

  it('lists only weekday holidays for the schedule skip list', () => {
    const days = weekdayHolidays();
    expect(days).toContain('2026-09-24');
    for (const d of days) expect([0, 6]).not.toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
  });
});
