/**
 * Failure classes of the counterparty-risk activities, the way activities/failures.ts does it
 * for sources: what a retry can fix is retried by Temporal; what it cannot fails the activity
 * at once with a type the workflow maps to the status.json code.
 */
import { ApplicationFailure } from '@temporalio/common';
import { REPORT_FAILURES } from '../shared/counterparty-risk';

/** File-system errors that a retry will not fix (full disk, read-only, permissions, wrong kind of path). */
const PERMANENT_FS_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);

export function isPermanentFsError(err: unknown): boolean {
  return PERMANENT_FS_CODES.has((err as NodeJS.ErrnoException)?.code ?? '');
}

export function nonRetryable(type: string, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : undefined });
}

export function retryable(type: string, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: false, details: details ? [details] : undefined });
}

/** A cache or status write failure: permanent ones stop at once, others (EIO, EMFILE…) are retried. */
export function cacheWriteFailure(file: string, err: unknown): ApplicationFailure {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'unknown';
  const message = `could not write ${file}: ${(err as Error)?.message ?? String(err)}; the previous file is kept`;
  return isPermanentFsError(err)
    ? nonRetryable(REPORT_FAILURES.cacheWriteFailed, message, { errno: code })
    : retryable(REPORT_FAILURES.cacheWriteFailed, message, { errno: code });
}
