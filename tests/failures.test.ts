/** Source failure → Temporal failure: the class decides retry, delay and alert (seed 001 Part 3.3). */
import { ApplicationFailure } from '@temporalio/common';
import { failureRules, toActivityFailure } from '../activities/failures';
import { loadConfig } from '../config/env';
import { SourceError } from '../sources/errors';

const rules = failureRules(loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x', SIMULATOR_URL: 'http://127.0.0.1:9' } as NodeJS.ProcessEnv));

function asFailure(err: SourceError): ApplicationFailure {
  const f = toActivityFailure(err, rules);
  expect(f).toBeInstanceOf(ApplicationFailure);
  return f as ApplicationFailure;
}

describe('toActivityFailure', () => {
  it('retries a network error 10 s apart by default, and a timeout or 5xx on the policy backoff', () => {
    expect(rules.networkRetryDelayMs).toBe(10_000);
    const network = asFailure(new SourceError('dart', 'retryable', 'request failed: ECONNRESET', 'NETWORK'));
    expect(network).toMatchObject({ type: 'SourceRetryable', nonRetryable: false, nextRetryDelay: 10_000 });
    for (const code of ['TIMEOUT', 'HTTP503']) {
      const f = asFailure(new SourceError('dart', 'retryable', code, code));
      expect(f).toMatchObject({ type: 'SourceRetryable', nonRetryable: false });
      expect(f.nextRetryDelay).toBeUndefined();
    }
  });

  it('takes the network delay from SOURCE_NETWORK_RETRY_SEC', () => {
    const custom = failureRules({ SOURCE_NETWORK_RETRY_SEC: 3 });
    expect(toActivityFailure(new SourceError('fss', 'retryable', 'x', 'NETWORK'), custom)).toMatchObject({ nextRetryDelay: 3_000 });
  });

  it('waits as long as a rate limit says, fails an auth error at once with an alert, and passes other errors through', () => {
    expect(asFailure(new SourceError('krx', 'rate-limited', 'HTTP 429', 'HTTP429', 60_000))).toMatchObject({ type: 'SourceRateLimited', nextRetryDelay: 60_000 });
    const auth = asFailure(new SourceError('dart', 'non-retryable', 'status 010', '010'));
    expect(auth).toMatchObject({ type: 'SourceNonRetryable', nonRetryable: true, details: [{ source: 'dart', code: '010', alert: true }] });
    const other = new Error('not a source error');
    expect(toActivityFailure(other, rules)).toBe(other);
  });
});
