/** Formatting shared by the email templates: HTML escaping, Korean numbers and dates, the page shell. */

export function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const WEEKDAYS = ['일', '월', '화', '수', '목', '금', '토'];

/** 2026-11-20 → "2026년 11월 20일 (금)". */
export function koDate(iso: string | null | undefined): string {
  if (!iso) return '없음';
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const wd = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${y}년 ${m}월 ${d}일 (${wd})`;
}

export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return v.toLocaleString('ko-KR', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** +1.25% / -0.40% / 0.00%. */
export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return `${v > 0 ? '+' : ''}${num(v)}%`;
}

/** +12.30 / -4.00 (points). */
export function signed(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return `${v > 0 ? '+' : ''}${num(v, digits)}`;
}

/** Red up, blue down: the Korean market's colours. */
export function moveColor(v: number | null | undefined): string {
  if (!v) return '#555555';
  return v > 0 ? '#d32f2f' : '#1565c0';
}

export interface Section {
  title: string;
  /** Shown above the section's body when its data is stale. */
  warning?: string;
  html: string;
  text: string;
}

export function table(headers: string[], rows: string[][]): string {
  const th = headers.map((h) => `<th style="text-align:left;padding:4px 8px;border-bottom:1px solid #ccc">${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td style="padding:4px 8px">${c}</td>`).join('')}</tr>`).join('');
  const empty = rows.length === 0 ? `<tr><td style="padding:4px 8px;color:#888" colspan="${Math.max(1, headers.length)}">없음</td></tr>` : '';
  return `<table style="border-collapse:collapse;font-size:14px">${th ? `<tr>${th}</tr>` : ''}${trs}${empty}</table>`;
}

export function page(title: string, intro: string, sections: Section[], footer: string): { html: string; text: string } {
  const html = [
    '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>' + esc(title) + '</title></head>',
    '<body style="font-family:Apple SD Gothic Neo,Malgun Gothic,sans-serif;color:#222;max-width:720px">',
    `<h1 style="font-size:20px">${esc(title)}</h1>`,
    `<p>${esc(intro)}</p>`,
    ...sections.map((s) =>
      [
        `<h2 style="font-size:16px;margin-top:24px">${esc(s.title)}</h2>`,
        s.warning ? `<p style="background:#fff3cd;border:1px solid #f0c36d;padding:8px">⚠ ${esc(s.warning)}</p>` : '',
        s.html,
      ].join('\n'),
    ),
    `<p style="color:#888;font-size:12px;margin-top:32px">${esc(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  const text = [
    title,
    '='.repeat(Math.min(40, title.length * 2)),
    intro,
    ...sections.map((s) => ['', `■ ${s.title}`, ...(s.warning ? [`⚠ ${s.warning}`] : []), s.text].join('\n')),
    '',
    footer,
    '',
  ].join('\n');
  return { html, text };
}
