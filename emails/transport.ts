/**
 * Where messages go: SMTP_URL's server through nodemailer, or (the dev default, no SMTP_URL) an
 * .eml file per message under OUTBOX_DIR. Both build the message with nodemailer, so an outbox
 * file is byte for byte what would have gone over SMTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Fixed per send key, so a receiving system can tell a duplicate (none is sent, see email ledger). */
  messageId: string;
}

export interface Delivery {
  transport: 'smtp' | 'outbox';
  /** The SMTP server's reply, or the .eml file written. */
  location: string;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  /** Where messages go, for logs (SMTP URL without credentials, or the outbox folder). */
  readonly describe: string;
  send(mail: OutgoingEmail): Promise<Delivery>;
  close(): void;
}

export interface TransportSettings {
  SMTP_URL?: string;
  EMAIL_FROM: string;
  OUTBOX_DIR: string;
}

function message(from: string, mail: OutgoingEmail) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    messageId: mail.messageId,
    // base64 keeps Korean text readable by any parser and lines short.
    textEncoding: 'base64' as const,
  };
}

/** SMTP URL without its password, for logs. */
export function redactSmtpUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'smtp://(unparsable)';
  }
}

export function createMailTransport(s: TransportSettings): MailTransport {
  if (s.SMTP_URL) {
    // One connection per message: a send retried after a failure starts from a clean session.
    const smtp = nodemailer.createTransport(s.SMTP_URL);
    return {
      kind: 'smtp',
      describe: redactSmtpUrl(s.SMTP_URL),
      async send(mail) {
        const info: SMTPTransport.SentMessageInfo = await smtp.sendMail(message(s.EMAIL_FROM, mail));
        return { transport: 'smtp', location: String(info.response ?? 'accepted') };
      },
      close: () => smtp.close(),
    };
  }
  const dir = path.resolve(s.OUTBOX_DIR);
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    kind: 'outbox',
    describe: dir,
    async send(mail) {
      const info = await builder.sendMail(message(s.EMAIL_FROM, mail));
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, outboxFileName(mail));
      // Write then rename: a reader never sees half a message.
      fs.writeFileSync(`${file}.tmp`, info.message as Buffer);
      fs.renameSync(`${file}.tmp`, file);
      return { transport: 'outbox', location: file };
    },
    close: () => builder.close(),
  };
}

/** `<message-id local part>.eml`, made safe for a file name. */
export function outboxFileName(mail: Pick<OutgoingEmail, 'messageId'>): string {
  const local = mail.messageId.replace(/^</, '').replace(/@.*$/, '');
  return `${local.replace(/[^\w.-]+/g, '_')}.eml`;
}

/**
 * What an SMTP error means for the send: `refused` (5xx: the server will never take this message
 * or recipient, do not retry) or `retry` (4xx, connection and timeout errors).
 */
export function classifySmtpError(err: unknown): 'refused' | 'retry' {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600 ? 'refused' : 'retry';
}
