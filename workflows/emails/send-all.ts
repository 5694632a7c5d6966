/**
 * Sends a list of prepared emails, a few at a time, each in its own `sendEmail` activity (at most
 * once per recipient and day, see activities/emails). A send that still fails after its retries
 * is reported in the result and raised as an alert; the other recipients are not held up.
 */
import { ActivityFailure, type RetryPolicy } from '@temporalio/common';
import { kstDate } from '../../calendar/trading-calendar';
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { EmailKind, SendEmailResult } from '../../activities/emails';
import { SCHEDULED_START } from '../../shared/search-attributes';

export interface EmailRunInput {
  /** The day the emails are for (Korea); default the schedule slot's date, or today for a manual start. */
  date?: string;
  /** Overrides of the send retry policy (tests use short waits). */
  retry?: Partial<RetryPolicy>;
}

export interface EmailOutcome {
  to: string;
  status: SendEmailResult['status'] | 'failed';
  location?: string;
  error?: string;
}

/** SMTP failures: 5 attempts, 30 s, 60 s, 120 s, 240 s apart. Refusals (5xx) are not thrown, so not retried. */
export const SEND_RETRY: RetryPolicy = { initialInterval: '30s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 5 };

const SEND_PARALLELISM = 4;

const { raiseOpsAlert } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5s', backoffCoefficient: 1, maximumAttempts: 3 },
});

export function emailDate(input: EmailRunInput): string {
  const info = workflowInfo();
  return input.date ?? kstDate(info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime);
}

export async function sendAll(
  kind: EmailKind, sendDate: string, emails: Array<{ to: string; subject: string; html: string; text: string; about?: string }>, retry?: Partial<RetryPolicy>,
): Promise<EmailOutcome[]> {
  const { sendEmail } = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { ...SEND_RETRY, ...retry } });
  const outcomes: EmailOutcome[] = [];
  for (let i = 0; i < emails.length; i += SEND_PARALLELISM) {
    const batch = emails.slice(i, i + SEND_PARALLELISM);
    outcomes.push(
      ...(await Promise.all(
        batch.map(async (e): Promise<EmailOutcome> => {
          try {
            return await sendEmail({ kind, sendDate, ...e });
          } catch (err) {
            if (!(err instanceof ActivityFailure)) throw err;
            const error = err.cause?.message ?? err.message;
            await raiseOpsAlert({
              alertType: 'email_send_failed', severity: 'critical', title: `[이메일 발송 실패] ${kind} ${sendDate} → ${e.to}`,
              message: `gave up after the send retries: ${error}; a rerun of the workflow sends it (it is recorded as not delivered)`,
              source: 'email', dedupeKey: `email_send_failed|${kind}|${sendDate}|${e.to}`,
            });
            return { to: e.to, status: 'failed', error };
          }
        }),
      )),
    );
  }
  return outcomes;
}
