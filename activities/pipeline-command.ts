/**
 * The analysis pipeline of seed 000 (`python -m datapipeline.run --backend live --market KR`)
 * as an activity: the configured command runs as a child process in its own process group,
 * its output goes line by line to the logs, and it is stopped, group and all, on timeout,
 * cancellation and worker shutdown.
 *
 * Failure classes, decided here once:
 *   PipelineMisconfigured  non-retryable: the executable, its directory or a required LLM key is missing;
 *                          running again cannot help until someone fixes the worker's environment.
 *   PipelineFailed         retryable: non-zero exit or death by a signal (crawling and LLM calls fail transiently).
 *   PipelineTimeout        retryable: ran past PIPELINE_TIMEOUT_SEC (`스크립트 타임아웃: …`).
 * The workflow bounds the retries (workflows/daily-pipeline.ts).
 *
 * Secrets (the LLM keys) reach the child through the worker's own environment only, and
 * their values are masked in every line and message this activity writes.
 */
import fs from 'node:fs';
import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { formatCommandLine } from '../config/command-line';
import type { ActivityDeps } from './deps';
import { runInProcessGroup, type StreamName } from './process-group';
import { withStepLog } from './step-log';

export interface RunPipelineInput {
  chain: string;
  /** The day the run is for (KST), given to the command as PIPELINE_RUN_DATE. */
  runDate: string;
  /** Overrides PIPELINE_TIMEOUT_SEC for this run. */
  timeoutSec?: number;
}

export interface RunPipelineResult {
  command: string;
  pid: number;
  durationMs: number;
  stdoutLines: number;
  stderrLines: number;
  /** Descendants still running after the command exited, killed with the group. */
  leftoverProcesses: number;
}

/** Environment variables whose values are masked in logs even when not listed in PIPELINE_REQUIRED_ENV. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i;
const MAX_TIMEOUT_SEC = 1500;
const STDERR_TAIL_LINES = 20;

export function pipelineActivities(deps: ActivityDeps) {
  return {
    async runPipelineCommand(input: RunPipelineInput): Promise<RunPipelineResult> {
      const cfg = deps.cfg;
      const workerEnv = deps.env ?? process.env;
      const timeoutSec = input.timeoutSec ?? cfg.PIPELINE_TIMEOUT_SEC;
      return withStepLog(deps.db, { chain: input.chain, step: 'pipeline', tradingDate: input.runDate }, async () => {
        if (!Number.isInteger(timeoutSec) || timeoutSec < 1 || timeoutSec > MAX_TIMEOUT_SEC) {
          throw misconfigured(`timeoutSec must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SEC}, got ${timeoutSec}`);
        }
        const missing = cfg.PIPELINE_REQUIRED_ENV.filter((name) => !workerEnv[name]?.trim());
        if (missing.length) {
          throw misconfigured(
            `LLM API 키 없음: ${missing.join(', ')} not set in the worker's environment (PIPELINE_REQUIRED_ENV). ` +
              'Set them where the worker runs; keys are never taken from workflow input.',
          );
        }
        if (cfg.PIPELINE_CWD && !isDirectory(cfg.PIPELINE_CWD)) {
          throw misconfigured(`PIPELINE_CWD ${cfg.PIPELINE_CWD} is not a directory on this worker`);
        }

        const info = activityInfo();
        const childEnv: NodeJS.ProcessEnv = {
          ...workerEnv,
          ...(cfg.DATABASE_URL ? { DATABASE_URL: cfg.DATABASE_URL } : {}),
          PIPELINE_RUN_DATE: input.runDate,
          PIPELINE_WORKFLOW_ID: info.workflowExecution?.workflowId ?? 'standalone',
          PIPELINE_RUN_ID: info.workflowExecution?.runId ?? info.activityId,
        };
        const mask = secretMasker(childEnv, cfg.PIPELINE_REQUIRED_ENV);
        const command = mask(formatCommandLine(cfg.PIPELINE_COMMAND));
        const started = Date.now();
        const counts: Record<StreamName, number> = { stdout: 0, stderr: 0 };
        const stderrTail: string[] = [];
        const beat = () => heartbeat({ lines: counts.stdout + counts.stderr, elapsedSec: Math.round((Date.now() - started) / 1000) });
        // A heartbeat is how this activity learns of a cancellation, so beat well inside the heartbeat timeout.
        const every = Math.min(10_000, Math.max(200, (info.heartbeatTimeoutMs ?? 30_000) / 3));
        beat();
        const ticker = setInterval(beat, every);
        log.info('pipeline process starting', { command, cwd: cfg.PIPELINE_CWD ?? process.cwd(), timeoutSec, attempt: info.attempt });

        let outcome;
        try {
          outcome = await runInProcessGroup({
            argv: cfg.PIPELINE_COMMAND,
            cwd: cfg.PIPELINE_CWD,
            env: childEnv,
            timeoutMs: timeoutSec * 1000,
            killGraceMs: cfg.PIPELINE_KILL_GRACE_SEC * 1000,
            signal: cancellationSignal(),
            onLine: (stream, raw) => {
              const line = mask(raw);
              counts[stream]++;
              if (stream === 'stderr') {
                stderrTail.push(line);
                if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
              }
              // Python's logging writes INFO to stderr too, so the stream is a tag, not a level.
              log.info(line, { stream, pipelineLine: counts.stdout + counts.stderr });
            },
          });
        } finally {
          clearInterval(ticker);
        }

        const tail = stderrTail.length ? `; last stderr lines:\n${stderrTail.join('\n')}` : '';
        switch (outcome.kind) {
          case 'spawn-failed': {
            const code = outcome.error.code;
            if (code === 'ENOENT' || code === 'EACCES') {
              throw misconfigured(
                `파이프라인 실행 파일 없음: "${mask(cfg.PIPELINE_COMMAND[0]!)}" ${code === 'ENOENT' ? 'was not found' : 'is not executable'} ` +
                  `(PIPELINE_COMMAND="${command}", on the worker's PATH). Install it or fix PIPELINE_COMMAND.`,
              );
            }
            throw ApplicationFailure.retryable(`could not start the pipeline (${command}): ${mask(outcome.error.message)}`, 'PipelineFailed');
          }
          case 'timed-out': {
            const message = `스크립트 타임아웃: ${command} ran longer than ${timeoutSec} s; its process group (${outcome.killed.signalled} processes, ${outcome.killed.forced} needing SIGKILL) was killed`;
            log.error(message, { pid: outcome.pid, durationMs: outcome.durationMs });
            throw ApplicationFailure.create({ message: message + tail, type: 'PipelineTimeout', details: [{ timeoutSec, pid: outcome.pid }] });
          }
          case 'aborted': {
            const reason = cancellationSignal().reason;
            log.warn('pipeline cancelled; process group killed', { reason: String(reason?.message ?? reason), pid: outcome.pid, ...outcome.killed });
            throw reason instanceof CancelledFailure ? reason : new CancelledFailure(String(reason ?? 'cancelled'));
          }
          case 'exited': {
            if (outcome.leftovers.signalled > 0) {
              log.warn('the pipeline left processes running after it exited; they were killed with its group', { ...outcome.leftovers });
            }
            if (outcome.code !== 0) {
              const how = outcome.code === null ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
              throw ApplicationFailure.create({
                message: `LangGraph 파이프라인 실패: ${command} ${how}${tail}`,
                type: 'PipelineFailed',
                details: [{ exitCode: outcome.code, signal: outcome.signal, durationMs: outcome.durationMs }],
              });
            }
            const result: RunPipelineResult = {
              command,
              pid: outcome.pid,
              durationMs: outcome.durationMs,
              stdoutLines: counts.stdout,
              stderrLines: counts.stderr,
              leftoverProcesses: outcome.leftovers.signalled,
            };
            return { result, details: { ...result } };
          }
        }
      });
    },
  };
}

function misconfigured(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'PipelineMisconfigured');
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Replaces the values of secret-looking variables with ***, longest first so that one value
 * containing another is masked whole. Short values are left alone: masking "1" would garble logs.
 */
export function secretMasker(env: NodeJS.ProcessEnv, alwaysSecret: readonly string[]): (text: string) => string {
  const values = Object.entries(env)
    .filter(([name, v]) => v && v.length >= 6 && (alwaysSecret.includes(name) || SECRET_NAME.test(name)))
    .map(([, v]) => v!)
    .sort((a, b) => b.length - a.length);
  const passwords = [env.DATABASE_URL].flatMap((u) => {
    try {
      const p = u ? decodeURIComponent(new URL(u).password) : '';
      return p.length >= 4 ? [p] : [];
    } catch {
      return [];
    }
  });
  const secrets = [...values, ...passwords];
  return (text) => secrets.reduce((t, s) => t.split(s).join('***'), text);
}
