/** An operations alert as an email and as a Slack-compatible webhook message. */
import type { AlertRow } from '../../db/alerts-queries';
import { esc, page, table } from '../format';

const SEVERITY_KO: Record<AlertRow['severity'], string> = { critical: '심각', warning: '경고', info: '정보' };
const SLACK_ICON: Record<AlertRow['severity'], string> = { critical: ':rotating_light:', warning: ':warning:', info: ':information_source:' };

function facts(a: AlertRow): Array<[string, string]> {
  return [
    ['유형', a.alertType],
    ['심각도', `${SEVERITY_KO[a.severity]} (${a.severity})`],
    ['출처', a.source],
    ['워크플로', a.workflowId ?? '-'],
    ['발생', a.createdAt.toISOString()],
    ['반복', `${a.repeatCount}회`],
  ];
}

export function renderAlertEmail(a: AlertRow): { subject: string; html: string; text: string } {
  const subject = `[Compass 운영 알림][${a.severity.toUpperCase()}] ${a.title}`;
  const body = page(
    a.title,
    a.message,
    [{ title: '알림 정보', html: table([], facts(a).map(([k, v]) => [esc(k), esc(v)])), text: facts(a).map(([k, v]) => `- ${k}: ${v}`).join('\n') }],
    `확인 처리: npm run ops -- ack ${a.id}`,
  );
  return { subject, ...body };
}

/** Slack's incoming-webhook shape: `{"text": …}` (mrkdwn). */
export function alertWebhookPayload(a: AlertRow): { text: string } {
  return {
    text: [
      `${SLACK_ICON[a.severity]} *[${a.severity.toUpperCase()}] ${a.title}*`,
      a.message,
      `type \`${a.alertType}\` · source \`${a.source}\`${a.workflowId ? ` · workflow \`${a.workflowId}\`` : ''} · alert #${a.id} (ack: \`npm run ops -- ack ${a.id}\`)`,
    ].join('\n'),
  };
}
