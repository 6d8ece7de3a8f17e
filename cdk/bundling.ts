/**
 * What the stack bundles and how: one Lambda function per entry file under `functions/`, built with
 * these esbuild settings. `npm run bench:cold` (bench/cold-start.ts) reads the same constants, so the
 * bench measures exactly what is deployed and the two cannot drift. Plain data, no aws-cdk-lib import,
 * so the bench loads it without the CDK.
 */
export const FUNCTION_ENTRIES = ['ingest.ts', 'management.ts', 'consumer.ts', 'fifo-consumer.ts'] as const;
/** The console function only serves the built web app from its own code directory; its cold start is not benched. */
export const CONSOLE_ENTRY = 'console.ts';
export type FunctionEntry = (typeof FUNCTION_ENTRIES)[number] | typeof CONSOLE_ENTRY;

export const BUNDLE = {
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); ESM output has none unless we create it.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  minify: true,
  sourceMap: true,
  /**
   * The map without the sources' text: stack traces need only the mappings (file, line, column), and
   * Node reads the whole map at start with --enable-source-maps (the consumer's was 6.9 MiB with the
   * sources, 1.9 MiB without; about 15 ms less to import).
   */
  sourcesContent: false,
  /**
   * Nothing is left to the runtime, the AWS SDK included: the functions run the SDK version the tests
   * run (package-lock.json), not whatever the Node.js 22 runtime ships, which can be older and lack a
   * command the code imports (StartMessageMoveTaskCommand) — the function would then fail to start.
   */
  externalModules: [] as readonly string[],
} as const;

/** The stack's `tracing` prop when not given: off (cdk/stack-props.ts). */
export const DEFAULT_TRACING = false;

/**
 * Constants compiled into a function's bundle (esbuild `define`). `tracing` off makes the tracer's
 * import dead code (shared/adapters/lambda/observability.ts), so the bundle holds neither the
 * Powertools tracer nor the X-Ray SDK: about 120 KiB that every cold start would otherwise read.
 */
export const bundleDefine = (options: { tracing: boolean }): Record<string, string> => ({
  'process.env.HOOKPOST_TRACING': JSON.stringify(String(options.tracing)),
});

/** NODE_OPTIONS of every function: stack traces point at the TypeScript sources through the source map. */
export const NODE_OPTIONS = '--enable-source-maps';
