/**
 * A local stand-in for an OpenAI-compatible chat-completions endpoint (the only mock in the
 * report tests): it answers well, fails with HTTP 500, never answers (timeout), or answers
 * with text that is not the expected JSON, as set by `mode`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type LlmMode = 'ok' | 'http500' | 'timeout' | 'badjson';

export interface LlmServer {
  url: string;
  mode: LlmMode;
  requests: Array<{ authorization?: string; body: { model?: string; messages?: Array<{ role: string; content: string }> } }>;
  close(): Promise<void>;
}

export async function startLlmServer(): Promise<LlmServer> {
  const state: LlmServer = { url: '', mode: 'ok', requests: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      state.requests.push({ authorization: req.headers.authorization, body });
      if (req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
      switch (state.mode) {
        case 'timeout':
          return; // never answers; the client's timeout must end the call
        case 'http500':
          res.writeHead(500, { 'content-type': 'application/json' });
          return void res.end('{"error":{"message":"upstream overloaded"}}');
        case 'badjson':
          return void reply(res, 'Sure! Here is the analysis you asked for: counterparties look fine.');
        case 'ok': {
          const facts = JSON.parse(body.messages.find((m: { role: string }) => m.role === 'user').content) as { counterparties: Array<{ organization_id: string; name: string; risk_score: number }> };
          const answer = {
            counterparties: facts.counterparties.map((c) => ({
              organization_id: c.organization_id,
              evidence: [`[LLM] ${c.name}: 위험 점수 ${c.risk_score}`],
              actions: [`[LLM] ${c.name} 담당자와 리스크 점검 회의`],
            })),
          };
          return void reply(res, '```json\n' + JSON.stringify(answer) + '\n```');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return state;
}

function reply(res: http.ServerResponse, content: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: 'cmpl-test', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
}
