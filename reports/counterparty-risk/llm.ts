/**
 * Evidence and actions from an LLM behind an OpenAI-compatible chat-completions API. Every
 * failure (no endpoint, HTTP error, timeout, unusable JSON) is returned as `error`, never
 * thrown: the caller fills the gaps with rule-based text and the run is SUCCESS_WITH_FALLBACK.
 * The API key goes into the Authorization header only; error messages are scrubbed of it.
 */
import { z } from 'zod';
import type { Advice, CounterpartyRisk } from './report';

export interface LlmSettings {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

export interface LlmOutcome {
  /** Advice per organisation id, for the counterparties the LLM answered for. */
  advice: Map<string, Advice>;
  error: string | null;
  httpStatus: number | null;
  latencyMs: number;
}

const answerSchema = z.object({
  counterparties: z.array(
    z.object({
      organization_id: z.string(),
      evidence: z.array(z.string().min(1)).min(1).max(6),
      actions: z.array(z.string().min(1)).min(1).max(6),
    }),
  ),
});

const SYSTEM_PROMPT = [
  'You are a credit-risk analyst at a Korean B2B company. For each counterparty given as JSON,',
  'write 1-4 short evidence bullets that cite the numbers provided, and 1-3 concrete actions for the',
  'account team, in Korean. Use only the numbers given. Answer with JSON only:',
  '{"counterparties":[{"organization_id":"…","evidence":["…"],"actions":["…"]}]}',
].join(' ');

export function buildMessages(asOf: string, counterparties: CounterpartyRisk[]): Array<{ role: 'system' | 'user'; content: string }> {
  const facts = counterparties.map((c) => ({
    organization_id: c.organization_id, name: c.name, industry: c.industry, credit_rating: c.credit_rating,
    risk_score: c.risk_score, risk_level: c.risk_level, ...c.metrics,
  }));
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: JSON.stringify({ as_of: asOf, counterparties: facts }) },
  ];
}

export async function adviseWithLlm(s: LlmSettings, asOf: string, counterparties: CounterpartyRisk[], signal?: AbortSignal): Promise<LlmOutcome> {
  const started = Date.now();
  const out = (error: string | null, httpStatus: number | null, advice = new Map<string, Advice>()): LlmOutcome => ({
    advice, error: error === null ? null : scrub(error, s.apiKey), httpStatus, latencyMs: Date.now() - started,
  });
  if (!s.baseUrl) return out('LLM_BASE_URL is not set', null);
  if (counterparties.length === 0) return out(null, null);
  const timeout = AbortSignal.timeout(s.timeoutMs);
  let res: Response;
  try {
    res = await fetch(`${s.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(s.apiKey ? { authorization: `Bearer ${s.apiKey}` } : {}) },
      body: JSON.stringify({ model: s.model, temperature: 0, response_format: { type: 'json_object' }, messages: buildMessages(asOf, counterparties) }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    const e = err as Error;
    if (timeout.aborted) return out(`LLM timed out after ${s.timeoutMs} ms`, null);
    return out(`LLM request failed: ${e.message}${e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : ''}`, null);
  }
  let body: string;
  try {
    body = await res.text();
  } catch (err) {
    return out(timeout.aborted ? `LLM timed out after ${s.timeoutMs} ms` : `LLM response could not be read: ${(err as Error).message}`, res.status);
  }
  if (!res.ok) return out(`LLM answered HTTP ${res.status}: ${body.slice(0, 200)}`, res.status);
  let answer: z.infer<typeof answerSchema>;
  try {
    const content = (JSON.parse(body) as { choices?: Array<{ message?: { content?: string } }> }).choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error('no choices[0].message.content');
    answer = answerSchema.parse(JSON.parse(stripFence(content)));
  } catch (err) {
    return out(`LLM answer is not the expected JSON: ${(err as Error).message.slice(0, 300)}`, res.status);
  }
  const wanted = new Set(counterparties.map((c) => c.organization_id));
  const advice = new Map<string, Advice>();
  for (const a of answer.counterparties) {
    if (wanted.has(a.organization_id)) advice.set(a.organization_id, { ...a, source: 'llm' });
  }
  const missing = counterparties.length - advice.size;
  return out(missing > 0 ? `LLM answered for ${advice.size} of ${counterparties.length} counterparties` : null, res.status, advice);
}

/** Some models wrap JSON in a Markdown fence despite response_format. */
function stripFence(text: string): string {
  const m = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return m ? m[1]! : text;
}

function scrub(message: string, secret?: string): string {
  return secret ? message.split(secret).join('***') : message;
}
