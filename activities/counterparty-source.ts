/**
 * Counterparty-risk steps 0–2: resolve the run (date, time stamp, settings), wait for the source
 * DB to be stable, and copy a snapshot of it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { dateInZone, timeStampInZone } from '../calendar/time-zone';
import { parseIsoDate } from '../calendar/trading-calendar';
import { snapshotFile } from '../reports/counterparty-risk/paths';
import { copyWithProgress, isStable, sourceDbState } from '../reports/counterparty-risk/source-db';
import { reportSettings } from '../reports/counterparty-risk/settings';
import { REPORT_FAILURES, type ReportRunSettings } from '../shared/counterparty-risk';
import type { ActivityDeps } from './deps';
import { nonRetryable, retryable } from './counterparty-failures';

export interface ResolveRunInput {
  asOf?: string;
  /** The instant whose date (in TZ) the run is for: the schedule slot, else the workflow start. */
  dateInstant: string;
  /** The workflow start: gives the HHMMSS of the snapshot name, the same on every retry. */
  startedAt: string;
  overrides?: Partial<ReportRunSettings>;
}

export interface ResolvedRun {
  asOf: string;
  stamp: string;
  settings: ReportRunSettings;
}

export interface SourceCheck {
  signature: string;
  ageSec: number;
}

export interface Snapshot {
  file: string;
  bytes: number;
  signature: string;
}

export function counterpartySourceActivities(deps: ActivityDeps) {
  const cfg = deps.cfg;
  return {
    async resolveCounterpartyRun(input: ResolveRunInput): Promise<ResolvedRun> {
      const settings = { ...reportSettings(cfg), ...input.overrides };
      const asOf = input.asOf ?? dateInZone(new Date(input.dateInstant), settings.timezone);
      try {
        parseIsoDate(asOf);
      } catch (err) {
        throw nonRetryable('InvalidReportDate', `asOf must be a YYYY-MM-DD date: ${(err as Error).message}`);
      }
      return { asOf, stamp: timeStampInZone(new Date(input.startedAt), settings.timezone), settings };
    },

    /** Throws a retryable SourceDbUnstable until the file has been unchanged for the window. */
    async checkCounterpartySourceDb(input: { stableWindowSec: number }): Promise<SourceCheck> {
      const file = cfg.SALESMAP_DB_PATH;
      if (!file) throw nonRetryable(REPORT_FAILURES.dbNotConfigured, 'SALESMAP_DB_PATH is not set: the worker does not know which SalesMap DB to read');
      const attempt = Context.current().info.attempt;
      const state = await sourceDbState(file);
      if (!state.exists) {
        throw retryable(REPORT_FAILURES.dbUnstable, `the SalesMap DB ${file} does not exist (being replaced?); check ${attempt}`);
      }
      if (!isStable(state, input.stableWindowSec)) {
        const age = Math.round(state.ageSec!);
        const when = age >= 0 ? `was modified ${age} s ago` : `has a modification time ${-age} s in the future`;
        throw retryable(
          REPORT_FAILURES.dbUnstable,
          `the SalesMap DB ${when} (signature ${state.signature}); it counts as stable after ${input.stableWindowSec} s unchanged; check ${attempt}`,
          { signature: state.signature },
        );
      }
      Context.current().log.info('SalesMap DB is stable', { signature: state.signature, ageSec: Math.round(state.ageSec!) });
      return { signature: state.signature!, ageSec: Math.round(state.ageSec!) };
    },

    /** Copies the DB to report_work/salesmap_snapshot_<as_of>_<HHMMSS>.db; a retry overwrites the same file. */
    async snapshotCounterpartySourceDb(input: { asOf: string; stamp: string; expectedSignature: string }): Promise<Snapshot> {
      const file = cfg.SALESMAP_DB_PATH;
      if (!file) throw nonRetryable(REPORT_FAILURES.dbNotConfigured, 'SALESMAP_DB_PATH is not set');
      await fs.mkdir(cfg.WORK_DIR, { recursive: true });
      const target = snapshotFile(cfg.WORK_DIR, input.asOf, input.stamp);
      const ctx = Context.current();
      const copy = await copyWithProgress(file, target, (bytes) => ctx.heartbeat({ bytes }));
      if (copy.before !== input.expectedSignature || copy.after !== copy.before) {
        await fs.unlink(target).catch(() => undefined);
        throw nonRetryable(
          REPORT_FAILURES.dbChanged,
          `the SalesMap DB changed while it was copied (checked ${input.expectedSignature}, copied ${copy.before} → ${copy.after}); no report is made from a torn copy`,
        );
      }
      ctx.log.info('snapshot taken', { snapshot: path.basename(target), bytes: copy.bytes });
      return { file: target, bytes: copy.bytes, signature: copy.before };
    },
  };
}
