/**
 * Writes a date's items as UTF-8 JSON bytes straight from the numeric quotes. Going through
 * strings (row objects, JSON text, then encoding for the socket) made a cold 3,000-row page
 * cost several times more, most of it garbage collection.
 */
import { type DayQuotes, type Ticker } from './market';

/** One date's items, serialized once; a page is a byte range of `json`. */
export interface SerializedDay {
  count: number;
  /** The JSON items, comma-separated, without the surrounding brackets. */
  json: Buffer;
  /** Byte offset where row i starts; offsets[count] is json.length + 1 (as if a comma followed). */
  offsets: Uint32Array;
  codes: string[];
  markets: string[];
}

const { floor } = Math; // bound once: global lookups are slow in vm contexts such as jest's

const enc = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

const BASDT = enc('{"basDt":"');
const VS = enc('","vs":"');
const FLTRT = enc('","fltRt":"');
const MKP = enc('","mkp":"');
const HIPR = enc('","hipr":"');
const LOPR = enc('","lopr":"');
const TRQU = enc('","trqu":"');
const TRPRC = enc('","trPrc":"');
const LSTG = enc('","lstgStCnt":"');
const MKTOT = enc('","mrktTotAmt":"');
const END = enc('"}');
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;

// From the closing quote of basDt to the opening quote of clpr: constant per issue.
const headCache = new Map<Ticker, Uint8Array>();

function headOf(t: Ticker): Uint8Array {
  let head = headCache.get(t);
  if (!head) {
    head = enc(
      `","srtnCd":${JSON.stringify(t.srtnCd)},"isinCd":${JSON.stringify(t.isinCd)},` +
        `"itmsNm":${JSON.stringify(t.itmsNm)},"mrktCtg":${JSON.stringify(t.mrktCtg)},"clpr":"`,
    );
    headCache.set(t, head);
  }
  return head;
}

class Writer {
  buf: Uint8Array;
  pos = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }

  put(bytes: Uint8Array): void {
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A non-fractional number below 2^53, digits as the API prints them. */
  int(value: number): void {
    let n = value;
    if (n < 0) {
      this.buf[this.pos++] = MINUS;
      n = -n;
    }
    // Digits come from int32 arithmetic: floating-point % was the serializer's hot spot.
    if (n >= 1e9) {
      const hi = floor(n / 1e9);
      this.small(hi);
      this.digits(n - hi * 1e9, 9);
    } else {
      this.small(n);
    }
  }

  private small(n: number): void {
    let len = 1;
    for (let p = 10; p <= n; p *= 10) len++;
    this.digits(n, len);
  }

  /** The last `len` decimal digits of n (< 2^31), zero-padded. */
  private digits(n: number, len: number): void {
    const buf = this.buf;
    let x = n | 0;
    let i = this.pos + len;
    this.pos = i;
    for (let k = 0; k < len; k++) {
      const rest = (x / 10) | 0;
      buf[--i] = ZERO + x - rest * 10;
      x = rest;
    }
  }

  /** Same text as formatHundredths: ".81", "-.06", "2.5", "0". */
  rate(hundredths: number): void {
    if (hundredths === 0) {
      this.buf[this.pos++] = ZERO;
      return;
    }
    if (hundredths < 0) this.buf[this.pos++] = MINUS;
    const h = hundredths < 0 ? -hundredths : hundredths;
    const frac = h % 100;
    const whole = (h - frac) / 100;
    if (whole > 0 || frac === 0) this.int(whole);
    if (frac === 0) return;
    this.buf[this.pos++] = DOT;
    const tens = (frac - (frac % 10)) / 10;
    this.buf[this.pos++] = ZERO + tens;
    if (frac % 10 !== 0) this.buf[this.pos++] = ZERO + (frac % 10);
  }
}

export function serializeDay(q: DayQuotes): SerializedDay {
  const count = q.tickers.length;
  const heads = q.tickers.map(headOf);
  // Per row at most ~120 bytes of keys and ~110 of digits besides the head; a Uint8Array would
  // drop overflowing writes silently, so the bound is generous rather than tight.
  const w = new Writer(heads.reduce((sum, h) => sum + h.length, 0) + count * 260 + 16);
  const basDt = enc(q.basDt);
  const offsets = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) {
    const t = q.tickers[i];
    if (i > 0) w.buf[w.pos++] = COMMA;
    offsets[i] = w.pos;
    w.put(BASDT);
    w.put(basDt);
    w.put(heads[i]);
    w.int(q.close[i]);
    w.put(VS);
    w.int(q.vs[i]);
    w.put(FLTRT);
    w.rate(q.rate[i]);
    w.put(MKP);
    w.int(q.open[i]);
    w.put(HIPR);
    w.int(q.high[i]);
    w.put(LOPR);
    w.int(q.low[i]);
    w.put(TRQU);
    w.int(q.volume[i]);
    w.put(TRPRC);
    w.int(q.value[i]);
    w.put(LSTG);
    w.int(t.lstgStCnt);
    w.put(MKTOT);
    w.int(q.close[i] * t.lstgStCnt);
    w.put(END);
  }
  offsets[count] = w.pos + 1;
  const json = Buffer.from(w.buf.buffer, 0, w.pos);
  return {
    count,
    json,
    offsets,
    codes: q.tickers.map((t) => t.srtnCd),
    markets: q.tickers.map((t) => t.mrktCtg),
  };
}
