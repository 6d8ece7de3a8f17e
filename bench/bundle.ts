/**
 * Bundles a function entry exactly as the CDK stack does (cdk/bundling.ts BUNDLE: esm, node22,
 * minified, source map, AWS SDK bundled, createRequire banner), for the benches that run deployed code
 * outside Lambda: the cold-start import timing and the consumer's duration per delivery.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLE, bundleDefine, DEFAULT_TRACING } from '../cdk/bundling.ts';
import { PROJECT_ROOT } from './receiver-process.ts';

/** Under node_modules so a bundle resolves whatever BUNDLE.externalModules leaves out, as a runtime would. */
export const benchOutDir = (name: string): string => path.join(PROJECT_ROOT, 'node_modules', '.cache', name);

export interface Bundle {
  name: string;
  file: string;
  bytes: number;
  /** Source map beside the bundle (deployed too, and read at start with --enable-source-maps). */
  mapBytes: number;
  metafile?: Metafile;
}

/** `tracing`: the stack prop the bundle is built for (bundleDefine); the stack's default unless given. */
export async function bundleFunction(name: string, entry: string, outDir: string, options: { tracing?: boolean } = {}): Promise<Bundle> {
  const file = path.join(outDir, `${name}.mjs`);
  // The CDK construct passes the same BUNDLE to NodejsFunction (which adds bundle and platform node).
  const result = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: BUNDLE.format,
    target: BUNDLE.target,
    mainFields: [...BUNDLE.mainFields],
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    external: [...BUNDLE.externalModules],
    banner: { js: BUNDLE.banner },
    define: bundleDefine({ tracing: options.tracing ?? DEFAULT_TRACING }),
    metafile: true,
    logLevel: 'error',
  });
  const mapBytes = BUNDLE.sourceMap ? (await stat(`${file}.map`)).size : 0;
  return { name, file, bytes: (await stat(file)).size, mapBytes, metafile: result.metafile };
}

/** What a function's modules read at import on Lambda (the runtime's own variables), with dummy values. */
export const LAMBDA_RUNTIME_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'hookpost-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_ACCESS_KEY_ID: 'dummy',
  AWS_SECRET_ACCESS_KEY: 'dummy',
  POWERTOOLS_SERVICE_NAME: 'hookpost',
  POWERTOOLS_METRICS_NAMESPACE: 'Hookpost',
  // No X-Ray daemon here: the tracer would otherwise try to send segments.
  POWERTOOLS_TRACE_ENABLED: 'false',
};

/** What the functions read at import from the stack (settingsFromEnv and the Powertools constructors), with dummy values. */
export const LAMBDA_FUNCTION_ENV: Record<string, string> = {
  ...LAMBDA_RUNTIME_ENV,
  HOOKPOST_TABLE_NAME: 'hookpost-bench',
  HOOKPOST_EVENTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/events',
  HOOKPOST_DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/dlq',
  HOOKPOST_FIFO_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/fifo.fifo',
  HOOKPOST_EVENTS_QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:events',
  HOOKPOST_DEAD_LETTER_QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:dlq',
  HOOKPOST_SECRETS_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000',
  HOOKPOST_ADMIN_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:admin',
  HOOKPOST_ALARM_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:alarms',
};
