/**
 * A real SMTP server (the smtp-server package) on a free loopback port that keeps every message
 * it accepts, plus just enough MIME decoding to read what nodemailer sent: encoded-word headers
 * and base64 parts (the transport sends every text part as base64).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface Received {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

export interface SmtpSink {
  url: string;
  messages: Received[];
  /** Decides each RCPT TO: return an error (with responseCode) to refuse it, or nothing to accept. */
  onRcpt: (address: string) => (Error & { responseCode?: number }) | undefined;
  close(): Promise<void>;
}

function decodeWords(v: string): string {
  return v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([BQbq])\?([^?]*)\?=/g, (_m, _cs, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

function headersOf(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function split(raw: string): { head: string; body: string } {
  const i = raw.search(/\r?\n\r?\n/);
  return i < 0 ? { head: raw, body: '' } : { head: raw.slice(0, i), body: raw.slice(i).replace(/^\r?\n\r?\n/, '') };
}

/** Every leaf part of a MIME message as [content type, decoded body]. */
function leaves(raw: string): Array<[string, string]> {
  const { head, body } = split(raw);
  const h = headersOf(head);
  const type = h['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.startsWith('multipart/') && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .flatMap((p) => leaves(p.replace(/^\r?\n/, '')));
  }
  const enc = (h['content-transfer-encoding'] ?? '').toLowerCase();
  const decoded = enc === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
  return [[type.split(';')[0]!.trim(), decoded]];
}

export function parseMessage(raw: string, envelope: { from: string; to: string[] }): Received {
  const headers = headersOf(split(raw).head);
  const parts = leaves(raw);
  return {
    ...envelope,
    raw,
    headers,
    subject: decodeWords(headers.subject ?? ''),
    messageId: headers['message-id'] ?? '',
    text: parts.find(([t]) => t === 'text/plain')?.[1] ?? '',
    html: parts.find(([t]) => t === 'text/html')?.[1] ?? '',
  };
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = { url: '', messages: [], onRcpt: () => undefined, close: async () => undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      callback(sink.onRcpt(address.address) ?? undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        sink.messages.push(parseMessage(Buffer.concat(chunks).toString('utf8'), envelope));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  sink.url = `smtp://127.0.0.1:${port}`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

/** An SMTP reply error for onRcpt: `smtpError(550, 'no such user')`. */
export function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}
