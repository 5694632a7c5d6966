/**
 * The session cookies of one KRX login (JSESSIONID and whatever the login sets). Everything is
 * on one host, so domain and path are ignored; only name, value and deletion matter.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Takes the Set-Cookie headers of an answer; Max-Age=0 or an expiry in the past deletes. */
  store(headers: Headers, nowMs: number): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => isExpired(a.trim(), nowMs))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** The Cookie header value, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  clear(): void {
    this.cookies.clear();
  }
}

function isExpired(attr: string, nowMs: number): boolean {
  const [k, v = ''] = attr.split('=', 2).map((s) => s.trim());
  if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
  if (k.toLowerCase() === 'expires') {
    const at = Date.parse(v);
    return !Number.isNaN(at) && at <= nowMs;
  }
  return false;
}
