#!/usr/bin/env node
/*
 * First stage of `npm run dev` and `npm test`, in plain Node so that it runs on a fresh
 * clone: installs the npm dependencies when they are missing or stale, makes sure the
 * `temporal` CLI exists (PATH, then .tools/bin, else `go install` into .tools/bin), then
 * hands over to the TypeScript stage (scripts/dev.ts or the jest suite).
 */
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const TOOLS_BIN = path.join(ROOT, '.tools', 'bin');

function say(msg) {
  process.stderr.write(`[bootstrap] ${msg}\n`);
}

function depsAreCurrent() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (!fs.existsSync(marker) || !fs.existsSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'))) return false;
  return fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs;
}

function ensureDependencies() {
  if (depsAreCurrent()) return;
  // `npm install`, not `npm ci`: the lockfile pins every version, but npm 11 here writes it
  // without other platforms' optional packages (@swc/core-darwin-*), which `npm ci` rejects.
  say('installing npm dependencies (npm install, versions from package-lock.json)…');
  const r = spawnSync('npm', ['install', '--no-fund', '--no-audit'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    say('npm install failed; see the output above');
    process.exit(r.status ?? 1);
  }
}

function onPath(cmd) {
  const r = spawnSync(process.platform === 'win32' ? 'where' : 'which', [cmd], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : null;
}

function ensureTemporalCli() {
  if (process.env.TEMPORAL_CLI_PATH && fs.existsSync(process.env.TEMPORAL_CLI_PATH)) return process.env.TEMPORAL_CLI_PATH;
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;
  const local = path.join(TOOLS_BIN, 'temporal');
  if (fs.existsSync(local)) return local;
  const go = onPath('go');
  if (!go) {
    say('the Temporal CLI is missing and Go is not installed to build it.');
    say(`install one of: Go (then rerun), or the CLI itself (https://docs.temporal.io/cli) on PATH or at ${local}`);
    process.exit(1);
  }
  say(`building the Temporal CLI: go install ${TEMPORAL_CLI_MODULE} (several minutes the first time)…`);
  fs.mkdirSync(TOOLS_BIN, { recursive: true });
  const r = spawnSync(go, ['install', TEMPORAL_CLI_MODULE], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, GOBIN: TOOLS_BIN } });
  if (r.status !== 0 || !fs.existsSync(local)) {
    say(`go install failed. Build it by hand: GOBIN=${TOOLS_BIN} go install ${TEMPORAL_CLI_MODULE}`);
    process.exit(r.status || 1);
  }
  return local;
}

function run(cmd, args, env) {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
  // The child owns Ctrl-C handling (it stops its services in order); the parent only waits.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => {});
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

const mode = process.argv[2];
if (mode !== 'dev' && mode !== 'test') {
  say('usage: node scripts/bootstrap.js dev|test');
  process.exit(2);
}
ensureDependencies();
const env = { ...process.env, TEMPORAL_CLI_PATH: ensureTemporalCli() };
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);
if (mode === 'dev') {
  run(bin('tsx'), ['scripts/dev.ts', ...process.argv.slice(3)], env);
} else {
  run(bin('tsx'), ['scripts/test.ts', ...process.argv.slice(3)], env);
}
