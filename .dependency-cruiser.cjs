/**
 * Layer rules, checked by `npm run lint` (part of `npm test`):
 * core knows nothing of AWS, HTTP transports or the API; the API knows the core, not the adapters;
 * only wiring.ts (the composition root), local mode and the function entry points assemble adapters.
 * Inside the core, arrows point down: management → engine → platform (and management → platform);
 * the engine is entered through core/engine/index.ts only.
 */
const EDGE_PACKAGES = '(^|/)node_modules/(@aws-sdk|undici|@aws-lambda-powertools|aws-lambda|@middy|@types/aws-lambda)/';

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'shared/core imports only shared/core and plain libraries: no adapters, api, local, wiring',
      severity: 'error',
      from: { path: '^shared/core/' },
      to: { path: '^(shared/(adapters|api|local|wiring)|functions|cdk|scripts|bench|test)' },
    },
    {
      name: 'core-without-aws-or-transport',
      comment: 'the core never sees an AWS SDK, undici, Powertools or Lambda types',
      severity: 'error',
      from: { path: '^shared/core/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], path: EDGE_PACKAGES },
    },
    {
      name: 'platform-is-the-floor',
      comment: 'core/platform (domain types, ports, ids, errors, settings, JSON text, …) imports neither the engine nor the management use cases',
      severity: 'error',
      from: { path: '^shared/core/platform/' },
      to: { path: '^shared/core/(engine|management)/' },
    },
    {
      name: 'engine-without-management',
      comment: 'the delivery engine never imports a management use case',
      severity: 'error',
      from: { path: '^shared/core/engine/' },
      to: { path: '^shared/core/management/' },
    },
    {
      name: 'engine-through-its-door',
      comment: 'outside core/engine, the engine is imported through core/engine/index.ts (tests and benches may reach its parts)',
      severity: 'error',
      from: { path: '^(shared|functions|cdk|scripts|web|client|cli|conformance|bin)/', pathNot: '^shared/core/engine/' },
      to: { path: '^shared/core/engine/', pathNot: '^shared/core/engine/index\\.ts$' },
    },
    {
      name: 'api-without-adapters',
      comment: 'routes parse, call a core service and render a view: they never reach an adapter or an SDK',
      severity: 'error',
      from: { path: '^shared/api/' },
      to: { path: '^(shared/(adapters|local|wiring)|functions)' },
    },
    {
      name: 'api-without-aws',
      severity: 'error',
      from: { path: '^shared/api/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], path: EDGE_PACKAGES },
    },
    {
      name: 'ingest-without-management-routes',
      comment: 'the ingest function serves POST /v1/events and /v1/events/batch (shared/api/events.ts): its bundle carries no other route',
      severity: 'error',
      from: { path: '^functions/ingest\\.ts$' },
      to: { path: '^shared/api/(routes|openapi|service|event-types|subscriptions/|dead-letters|api-keys|tenants|portal-sessions|console)', reachable: true },
    },
    {
      name: 'adapters-do-not-assemble',
      comment: 'adapters implement ports; only wiring.ts and local mode put them together',
      severity: 'error',
      from: { path: '^shared/adapters/' },
      to: { path: '^(shared/(local|wiring)|functions|cdk|scripts|bench|test)' },
    },
    {
      name: 'aws-adapters-without-api',
      comment: 'only the Lambda transport adapters know the API',
      severity: 'error',
      from: { path: '^shared/adapters/(aws|http)/' },
      to: { path: '^shared/api/' },
    },
    {
      name: 'no-local-in-production',
      comment: 'local mode (emulators, the dev server) never ends up in a Lambda bundle',
      severity: 'error',
      from: { path: '^(functions|shared/(core|api|adapters|wiring))' },
      to: { path: '^shared/local/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'a module nothing imports is dead code (entry points and configs excepted)',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: ['^(functions|scripts|bench|test|cdk/app\\.ts)', '\\.d\\.ts$', '(^|/)\\.[^/]+\\.(c|m)?js$', '\\.config\\.ts$'],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdk\\.out|coverage|dist|web/dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
