/**
 * docker-compose.yml as Docker Compose reads it, without a Docker engine (there is none here). Two
 * readers, and every check runs on what each one loaded:
 *   compose-go  the Compose specification's reference loader, which docker compose itself is built on
 *               (tests/tools/compose-check, a small Go program): YAML, interpolation, schema, normalization,
 *               consistency. Skipped, and named so, where Go is not installed.
 *   JSON schema yaml + the Compose interpolation of tests/helpers/compose-interpolate.ts + the Compose
 *               specification's schema (tests/fixtures/compose-spec.json) with ajv.
 * The checks: the file loads with the required variables set and stops without one, with its message;
 * depends_on targets exist; nothing has a fixed container name and the scalable workers publish no port;
 * images are pinned; Temporal is set up by admin-tools around temporalio/server (no auto-setup); the setup
 * service migrates and applies both catalogs before the application starts; health checks; and each
 * application service gets the configuration config/env.ts requires of it in production, all of it valid.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import { type AppConfig, loadConfig } from '../config/env';
import { allJobNamespaces } from '../jobs/namespaces';
import { ALL_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { interpolate, interpolateString, InterpolationError, type Variables } from './helpers/compose-interpolate';

const ROOT = path.resolve(__dirname, '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const REQUIRED: Variables = { POSTGRES_PASSWORD: 'composeTestPassword1', API_TOKEN: 'compose-test-token-0123456789' };

interface Service {
  image?: string;
  build?: unknown;
  container_name?: string;
  command?: string[] | string | null;
  entrypoint?: string[] | string | null;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  ports?: Array<{ target: number; published?: string; host_ip?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
}
interface Project {
  services: Record<string, Service>;
}
type Loader = (vars: Variables) => Project;

// --- compose-go ----------------------------------------------------------------------------------

const GO_TOOL = path.join(__dirname, 'tools', 'compose-check');
const haveGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
let goBinary: string | undefined;

/** Builds tests/tools/compose-check once per run (Go's caches make later builds quick). */
function composeCheckBinary(): string {
  if (goBinary) return goBinary;
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'compass-compose-check-')), 'compose-check');
  const r = spawnSync('go', ['build', '-buildvcs=false', '-o', out, '.'], { cwd: GO_TOOL, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`go build in tests/tools/compose-check failed:\n${r.stderr}`);
  goBinary = out;
  return out;
}

afterAll(() => {
  if (goBinary) fs.rmSync(path.dirname(goBinary), { recursive: true, force: true });
});

const composeGo: Loader = (vars) => {
  const r = spawnSync(composeCheckBinary(), [COMPOSE_FILE], { input: JSON.stringify(vars), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr.trim());
  return JSON.parse(r.stdout) as Project;
};

// --- JSON schema ---------------------------------------------------------------------------------

const validateSchema = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(
  JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'compose-spec.json'), 'utf8')) as object,
);

type RawService = Omit<Service, 'environment' | 'depends_on' | 'ports'> & {
  environment?: string[] | Record<string, string | number | boolean | null>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: Array<string | number | { target: number; published?: string | number; host_ip?: string }>;
};

/** "8000", "8000:8000", "127.0.0.1:8000:8000" or the long syntax, as compose-go gives it. */
function portOf(p: string | number | { target: number; published?: string | number; host_ip?: string }): { target: number; published?: string; host_ip?: string } {
  if (typeof p === 'object') return { ...p, published: p.published === undefined ? undefined : String(p.published) };
  const parts = String(p).split('/')[0]!.split(':');
  const target = Number(parts.pop());
  return { target, published: parts.pop(), host_ip: parts.pop() };
}

/** The short syntaxes in compose-go's long forms, so that both readers answer the checks alike. */
function normalizeService(s: RawService): Service {
  const env = Array.isArray(s.environment)
    ? Object.fromEntries(s.environment.map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, null])))
    : Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v === null ? null : String(v)]));
  const deps = Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((d) => [d, { condition: 'service_started' }]))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, { condition: v.condition ?? 'service_started' }]));
  return { ...s, environment: env, depends_on: deps, ports: (s.ports ?? []).map(portOf) };
}

const jsonSchema: Loader = (vars) => {
  const doc = interpolate(parseYaml(fs.readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, RawService> }, vars);
  if (!validateSchema(doc)) throw new Error(`docker-compose.yml does not follow the Compose schema: ${JSON.stringify(validateSchema.errors)}`);
  return { services: Object.fromEntries(Object.entries(doc.services).map(([name, s]) => [name, normalizeService(s)])) };
};

// --- the checks ----------------------------------------------------------------------------------

const text = (v: string[] | string | null | undefined): string => (Array.isArray(v) ? v.join(' ') : (v ?? ''));
/** A service's whole script: entrypoint and command. */
const script = (s: Service): string => `${text(s.entrypoint)} ${text(s.command)}`;
const tagOf = (image: string) => image.slice(image.lastIndexOf(':') + 1);
const envOf = (s: Service): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, v ?? undefined]));

/** What each application service must be given in production (config/env.ts defaults point at 127.0.0.1). */
const APP_NEEDS: Record<string, Array<keyof AppConfig>> = {
  setup: ['TEMPORAL_ADDRESS', 'DATABASE_URL'],
  worker: ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'REDIS_URL', 'SIMULATOR_URL', 'METRICS_HOST', 'COLLECTION_METRICS_PORT', 'SALESMAP_DB_PATH', 'CACHE_DIR', 'WORK_DIR'],
  'jobs-worker': ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'SIMULATOR_URL', 'METRICS_HOST', 'METRICS_PORT'],
  api: ['TEMPORAL_ADDRESS', 'API_TOKEN', 'API_HOST', 'API_PORT', 'CACHE_DIR', 'WORK_DIR'],
  'jobs-api': ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'API_TOKEN', 'JOBS_API_HOST', 'JOBS_API_PORT'],
};
/** Read by a process the worker starts (the pipeline command), not by config/env.ts. */
const CHILD_ENV = new Set(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY']);
/** Where config/env.ts must not keep its loopback default in a container. */
const LISTEN_ALL: Array<[string, keyof AppConfig]> = [['worker', 'METRICS_HOST'], ['jobs-worker', 'METRICS_HOST'], ['api', 'API_HOST'], ['jobs-api', 'JOBS_API_HOST']];
const SCALABLE = ['worker', 'jobs-worker'];
const HEALTHY = ['postgresql', 'temporal', 'app-db', 'redis', 'simulator', 'worker', 'jobs-worker', 'api', 'jobs-api'];

describe('compose variable interpolation (tests/helpers/compose-interpolate.ts)', () => {
  const vars: Variables = { SET: 'value', EMPTY: '' };
  it.each([
    ['${SET} and $SET', 'value and value'],
    ['${UNSET}|$UNSET|${EMPTY}', '||'],
    ['${SET:-d} ${EMPTY:-d} ${UNSET:-d}', 'value d d'],
    ['${SET-d} ${EMPTY-d} ${UNSET-d}', 'value  d'],
    ['${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}', 'alt||alt|'],
    ['${UNSET:-${SET}-x}', 'value-x'],
    ['$$ns and $${SET} cost $$5', '$ns and ${SET} cost $5'],
    ['${EMPTY?never}', ''],
  ])('%s → %s', (input, expected) => {
    expect(interpolateString(input, vars)).toBe(expected);
  });

  it('fails on a required variable with its message', () => {
    expect(() => interpolateString('${UNSET:?set UNSET in .env}', vars, 'services.api.environment.X')).toThrow(
      new InterpolationError('services.api.environment.X: required variable UNSET is missing a value: set UNSET in .env'),
    );
    expect(() => interpolateString('${EMPTY:?needed}', vars)).toThrow(/required variable EMPTY is missing a value: needed/);
    expect(() => interpolateString('${UNSET?needed}', vars)).toThrow(/required variable UNSET/);
  });

  it('refuses what Compose refuses: a lone $, an unterminated or malformed ${…}', () => {
    for (const bad of ['cost $5', '${SET', '${1X}', '${SET!x}']) expect(() => interpolateString(bad, vars)).toThrow(InterpolationError);
  });

  it('interpolates values, not keys', () => {
    expect(interpolate({ '${SET}': ['${SET}', 1, { k: '$$' }] }, vars)).toEqual({ '${SET}': ['value', 1, { k: '$' }] });
  });
});

describe.each([
  ['compose-go', haveGo ? composeGo : undefined],
  ['the JSON schema', jsonSchema],
] as const)('docker-compose.yml read by %s', (_reader, load) => {
  // Without Go, the compose-go reader's tests are listed as skipped rather than passed.
  const maybe = load ? it : it.skip;
  let project: Project;
  let services: Record<string, Service>;

  beforeAll(() => {
    if (!load) return;
    project = load(REQUIRED);
    services = project.services;
  }, 300_000);

  maybe('loads, with every role of the system', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api', 'app-db', 'grafana', 'jobs-api', 'jobs-worker', 'postgresql', 'prometheus', 'redis', 'setup', 'simulator',
      'temporal', 'temporal-init', 'temporal-schema', 'temporal-ui', 'worker',
    ]);
  });

  maybe.each(Object.keys(REQUIRED))('stops without %s, saying how to set it', (name) => {
    const vars = { ...REQUIRED, [name]: undefined };
    expect(() => load!(vars)).toThrow(new RegExp(`required variable ${name} is missing a value: set ${name} `));
  });

  maybe('names only services in depends_on, and waits for health only where there is a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(`${name} → ${dep}: ${Object.hasOwn(services, dep)}`).toBe(`${name} → ${dep}: true`);
        if (condition === 'service_healthy') expect(`${dep}: ${Boolean(services[dep]!.healthcheck?.test)}`).toBe(`${dep}: true`);
      }
    }
  });

  maybe('fixes no container name, and the scalable workers publish no host port', () => {
    expect(Object.entries(services).filter(([, s]) => s.container_name).map(([n]) => n)).toEqual([]);
    for (const name of SCALABLE) expect({ [name]: services[name]!.ports ?? [] }).toEqual({ [name]: [] });
  });

  maybe('pins every image (no latest, no untagged), or builds it from the Dockerfile', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.image) {
        expect(`${name}: ${Boolean(s.build)}`).toBe(`${name}: true`);
        continue;
      }
      expect(s.image).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(`${name}: ${tagOf(s.image)}`).not.toMatch(/: latest$/);
      expect(s.image).not.toMatch(/auto-setup/);
    }
  });

  maybe('sets Temporal up around temporalio/server: schemas by admin-tools before it, namespaces and search attributes after it', () => {
    const { temporal, 'temporal-schema': schema, 'temporal-init': init } = services;
    expect(temporal!.image).toMatch(/^temporalio\/server:/);
    for (const s of [schema!, init!]) expect(s.image).toBe(`temporalio/admin-tools:${tagOf(temporal!.image!)}`);
    expect(temporal!.depends_on).toMatchObject({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(schema!.depends_on).toMatchObject({ postgresql: { condition: 'service_healthy' } });
    expect(schema!.environment).toMatchObject({ SQL_PLUGIN: 'postgres12', SQL_HOST: 'postgresql', SQL_USER: temporal!.environment!.POSTGRES_USER });
    expect(schema!.environment!.SQL_PASSWORD).toBe(temporal!.environment!.POSTGRES_PWD);
    expect(temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    const schemaScript = script(schema!);
    for (const step of ['create-database', 'setup-schema', 'update-schema', 'temporal temporal_visibility', 'postgresql/v12/']) expect(schemaScript).toContain(step);

    expect(init!.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
    const initScript = script(init!);
    expect(initScript).toContain('temporal operator cluster health');
    const cfg = loadConfig({} as NodeJS.ProcessEnv);
    for (const ns of [cfg.TEMPORAL_NAMESPACE, ...allJobNamespaces(cfg)]) expect(initScript).toMatch(new RegExp(`for ns in [^;]*\\b${ns}\\b`));
    for (const sa of ALL_SEARCH_ATTRIBUTES) expect(initScript).toMatch(new RegExp(`for sa in [^;]*\\b${sa.name}\\b`));
  });

  maybe('runs the migrations, then schedules apply, then jobs apply, before any application service starts', () => {
    const setup = services.setup!;
    const steps = ['scripts/migrate.ts', 'scripts/schedules.ts apply', 'scripts/jobs.ts apply'].map((step) => script(setup).indexOf(step));
    expect(steps.every((i) => i >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(setup.depends_on).toMatchObject({ 'app-db': { condition: 'service_healthy' }, 'temporal-init': { condition: 'service_completed_successfully' } });
    for (const name of ['worker', 'jobs-worker', 'api', 'jobs-api']) {
      expect({ [name]: services[name]!.depends_on?.setup?.condition }).toEqual({ [name]: 'service_completed_successfully' });
    }
  });

  maybe('checks the health of the databases, Temporal and the application services', () => {
    for (const name of HEALTHY) expect(`${name}: ${text(services[name]!.healthcheck?.test)}`).toMatch(new RegExp(`^${name}: (CMD|CMD-SHELL) `));
  });

  maybe('gives each application service what config/env.ts requires of it in production, all of it valid', () => {
    for (const [name, keys] of Object.entries(APP_NEEDS)) {
      const env = envOf(services[name]!);
      const cfg = loadConfig(env); // throws ConfigError naming a wrong value
      expect({ [name]: keys.filter((k) => !env[k]) }).toEqual({ [name]: [] });
      // Every variable is one config/env.ts reads (a misspelt name would be dropped silently).
      expect({ [name]: Object.keys(env).filter((k) => !Object.hasOwn(cfg, k) && !CHILD_ENV.has(k)) }).toEqual({ [name]: [] });
      // The hosts it is pointed at are services of this file.
      for (const key of ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'REDIS_URL', 'SIMULATOR_URL'] as const) {
        const v = env[key];
        if (v) expect(`${name} ${key}: ${Object.hasOwn(services, new URL(v.includes('://') ? v : `tcp://${v}`).hostname)}`).toBe(`${name} ${key}: true`);
      }
    }
    for (const [name, key] of LISTEN_ALL) expect(`${name} ${key}=${envOf(services[name]!)[key]}`).toBe(`${name} ${key}=0.0.0.0`);
  });

  maybe('applies the schedules for the scope the worker runs in, with and without a data.go.kr key', () => {
    for (const [vars, scope] of [[REQUIRED, 'mock'], [{ ...REQUIRED, DATAGOKR_API_KEY: 'test-key' }, 'real']] as const) {
      const { setup, worker } = load!(vars).services;
      expect([loadConfig(envOf(setup!)).scope, loadConfig(envOf(worker!)).scope]).toEqual([scope, scope]);
    }
  });

  maybe('builds dev/ only into the demo target: what runs dev/ code builds demo, every other application service app', () => {
    const built = Object.entries(services).filter(([, s]) => s.build);
    const runsDev = (s: Service) => /(^|[\s"'])dev\//.test(`${script(s)} ${Object.values(s.environment ?? {}).join(' ')}`);
    for (const [name, s] of built) expect(`${name}: ${(s.build as { target?: string }).target}`).toBe(`${name}: ${runsDev(s) ? 'demo' : 'app'}`);
    // The demo pipeline, the simulator and the demo job services are dev/ code; setup and the APIs are not.
    expect(built.filter(([, s]) => runsDev(s)).map(([n]) => n).sort()).toEqual(['jobs-worker', 'simulator', 'worker']);
  });

  maybe('has prometheus scrape each worker on the port it serves its metrics on', () => {
    type ScrapeConfig = { static_configs?: Array<{ targets: string[] }>; dns_sd_configs?: Array<{ names: string[]; port: number }> };
    const prom = parseYaml(fs.readFileSync(path.join(ROOT, 'dashboards', 'prometheus.yml'), 'utf8')) as { scrape_configs: ScrapeConfig[] };
    // The scaled worker is found through DNS (every replica), the single jobs worker by name.
    const targets = prom.scrape_configs.flatMap((c) => [
      ...(c.static_configs ?? []).flatMap((s) => s.targets),
      ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
    ]);
    expect(prom.scrape_configs.find((c) => c.dns_sd_configs?.some((d) => d.names.includes('worker')))).toBeDefined();
    expect(targets).toEqual(expect.arrayContaining([
      `worker:${services.worker!.environment!.COLLECTION_METRICS_PORT}`,
      `jobs-worker:${services['jobs-worker']!.environment!.METRICS_PORT}`,
    ]));
  });
});

describe('Dockerfile', () => {
  interface Stage { base: string; name: string; lines: string[] }
  const stages: Stage[] = [];
  for (const line of fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').split('\n').map((l) => l.trim())) {
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    if (from) stages.push({ base: from[1]!, name: from[2] ?? '', lines: [] });
    else if (line && !line.startsWith('#')) stages.at(-1)?.lines.push(line);
  }
  const stage = (name: string) => stages.find((s) => s.name === name)!;
  /** What a stage copies from the build context (COPY without --from): its sources. */
  const contextCopies = (s: Stage) => s.lines.filter((l) => /^COPY /.test(l) && !/--from=/.test(l)).map((l) => l.split(/\s+/).slice(1, -1).filter((a) => !a.startsWith('--')));

  it('builds the production image (target app, the default) without dev/, and the demo target with it', () => {
    expect(stages.at(-1)!.name).toBe('app');
    expect(stage('app').base).toBe('production');
    expect(stage('demo')).toMatchObject({ base: 'production' });
    expect(contextCopies(stage('demo'))).toEqual([['dev']]);
    // production takes the context only through the stage that drops dev/, and its own context copies name no dev/.
    expect(stage('production').lines).toContain('COPY --from=sources /src ./');
    expect(contextCopies(stage('production')).flat()).toEqual(['package.json', 'package-lock.json']);
    const sources = stage('sources').lines;
    expect(sources.indexOf('RUN rm -rf dev')).toBeGreaterThan(sources.indexOf('COPY . .'));
    expect(sources.indexOf('COPY . .')).toBeGreaterThanOrEqual(0);
  });

  it('keeps dev/ in the build context, since .dockerignore applies to the demo target too', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored.filter((l) => /^\/?dev(\/|$)/.test(l))).toEqual([]);
  });
});
