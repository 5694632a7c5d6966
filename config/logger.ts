/**
 * One pino logger for every process of the project. JSON by default; pretty when
 * LOG_PRETTY=1 (npm run dev sets it). Redaction is a second line of defence: secrets are
 * kept out of log calls in the first place, but a stray `{ serviceKey }` must still not leak.
 */
import pino from 'pino';

// pino-pretty is a dev dependency: the production image (npm ci --omit=dev) has it not, and logs JSON.
const pretty = process.env.LOG_PRETTY === '1' || process.env.LOG_PRETTY === 'true';

export const REDACTED_KEYS = [
  'serviceKey',
  'apiKey',
  'api_key',
  'crtfc_key',
  'auth_key',
  'AUTH_KEY',
  'password',
  'authorization',
  'DATAGOKR_API_KEY',
  'DART_API_KEY',
  'KRX_API_KEY',
  'FSS_API_KEY',
  'LLM_API_KEY',
  'API_TOKEN',
  'token',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'TEMPORAL_API_KEY',
  'apiKey',
];

export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: process.env.LOG_SERVICE_NAME ?? 'compass' },
  redact: {
    paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
    censor: '[redacted]',
  },
  transport: pretty
    ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } }
    : undefined,
});

export type Logger = typeof logger;
