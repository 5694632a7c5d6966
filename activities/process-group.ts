/**
 * Runs a command as the leader of its own process group, so that everything it starts (the
 * interpreter, its workers, a stray `sleep`) can be stopped together. Killing only the direct
 * child would orphan its descendants, which would keep running, and writing, after the
 * activity has given up on them, and could overlap the retry.
 *
 * Limits: a descendant that leaves the group on purpose (setsid, a daemon's double fork) is
 * out of reach, and a worker killed with SIGKILL cannot clean up; the group then lives on.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

export type StreamName = 'stdout' | 'stderr';

export interface GroupRunOptions {
  argv: readonly string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL, for the processes to flush and exit on their own. */
  killGraceMs: number;
  /** Aborting kills the group (activity cancellation, worker shutdown). */
  signal?: AbortSignal;
  onLine: (stream: StreamName, line: string) => void;
}

export interface KillReport {
  /** Live processes in the group when the kill began. */
  signalled: number;
  /** Of those, how many ignored SIGTERM for the whole grace period and got SIGKILL. */
  forced: number;
}

export type GroupRunOutcome =
  | { kind: 'exited'; pid: number; code: number | null; signal: NodeJS.Signals | null; durationMs: number; leftovers: KillReport }
  | { kind: 'timed-out'; pid: number; durationMs: number; killed: KillReport }
  | { kind: 'aborted'; pid: number; durationMs: number; killed: KillReport }
  | { kind: 'spawn-failed'; error: NodeJS.ErrnoException };

/** Groups this process leads right now; killed outright if the process exits with them still running. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence (an uncaught error, process.exit): 'exit' handlers must be synchronous, so no grace here.
  process.once('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

export function runInProcessGroup(o: GroupRunOptions): Promise<GroupRunOutcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(o.argv[0]!, o.argv.slice(1), { cwd: o.cwd, env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) {
      // Spawn failures (ENOENT, EACCES) arrive as an 'error' event, with no pid.
      child.once('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'spawn-failed', error }));
      return;
    }
    const pgid = child.pid;
    installExitHook();
    liveGroups.add(pgid);
    child.on('error', () => undefined); // later errors are failed kill() calls; the group kill below covers them

    const closed = new Promise<void>((r) => child.once('close', () => r()));
    for (const stream of ['stdout', 'stderr'] as const) {
      readline.createInterface({ input: child[stream], crlfDelay: Infinity }).on('line', (line) => o.onLine(stream, line));
    }

    let stopReason: 'timeout' | 'abort' | undefined;
    let killing: Promise<KillReport> | undefined;
    const kill = () => (killing ??= killGroup(pgid, o.killGraceMs));
    const stop = (why: 'timeout' | 'abort') => {
      stopReason ??= why;
      void kill();
    };
    const timer = setTimeout(() => stop('timeout'), o.timeoutMs);
    const onAbort = () => stop('abort');
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });

    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      void (async () => {
        // The leader is gone, but its descendants may not be: whatever is left of the group goes too.
        const report = await kill();
        liveGroups.delete(pgid);
        // Output still in the pipes is logged before returning; a process outside the group holding them is not waited for.
        await Promise.race([closed, delay(2000)]);
        child.stdout.destroy();
        child.stderr.destroy();
        const durationMs = Date.now() - started;
        if (stopReason === 'timeout') resolve({ kind: 'timed-out', pid: pgid, durationMs, killed: report });
        else if (stopReason === 'abort') resolve({ kind: 'aborted', pid: pgid, durationMs, killed: report });
        else resolve({ kind: 'exited', pid: pgid, code, signal, durationMs, leftovers: report });
      })();
    });
  });
}

/** SIGTERM to the whole group, then SIGKILL to what is still there after the grace period. */
export async function killGroup(pgid: number, graceMs: number): Promise<KillReport> {
  const before = groupMembers(pgid);
  if (before.length === 0) return { signalled: 0, forced: 0 };
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (groupMembers(pgid).length === 0) return { signalled: before.length, forced: 0 };
    await delay(50);
  }
  const stubborn = groupMembers(pgid);
  signalGroup(pgid, 'SIGKILL');
  // SIGKILL cannot be caught or ignored; this only waits for the kernel to finish the job.
  for (let i = 0; i < 100 && groupMembers(pgid).length > 0; i++) await delay(20);
  return { signalled: before.length, forced: stubborn.length };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Live (non-zombie) processes of a group. On Linux from /proc, because a killed process
 * whose parent has not reaped it yet still counts for kill(-pgid, 0) while it no longer runs.
 */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const state = processState(Number(e));
    if (state && state.pgrp === pgid && state.state !== 'Z' && state.state !== 'X') members.push(Number(e));
  }
  return members;
}

/** State letter and process group of a pid from /proc/<pid>/stat, or null when it is gone. */
export function processState(pid: number): { state: string; pgrp: number } | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may contain spaces and parentheses; the fields after its last ')' are fixed.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0]!, pgrp: Number(rest[2]) };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
