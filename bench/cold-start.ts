/**
 * `npm run bench:cold`: bundle every function the CDK stack deploys with the stack's own esbuild
 * settings (cdk/bundling.ts: FUNCTION_ENTRIES, BUNDLE — esm, node22, minified, source map without sources' text, AWS SDK
 * bundled, createRequire banner, the stack's default `tracing: false` compiled in), plus the consumer as
 * `tracing: true` builds it, then report each bundle's size and the median time to import it in a
 * fresh `node` with the functions' NODE_OPTIONS (source maps on, as on Lambda), beside a bare handler
 * that imports only `@aws-sdk/client-sqs`, bundled the same way. Also prints what dominates each bundle
 * (esbuild metafile).
 *
 * Import time is what a cold start adds on top of the runtime's own init; it is measured on this
 * machine, not on Lambda (arm64, different CPU), so the ratio is the number to read.
 *
 *   npm run bench:cold -- --runs 7
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import type { Metafile } from 'esbuild';
import { BUNDLE, FUNCTION_ENTRIES, NODE_OPTIONS } from '../cdk/bundling.ts';
import { benchOutDir, bundleFunction, LAMBDA_FUNCTION_ENV } from './bundle.ts';
import { PROJECT_ROOT } from './receiver-process.ts';

const run = promisify(execFile);
const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Math.max(1, Number(flags.runs) || 5);
const OUT_DIR = benchOutDir('hookpost-cold-start');

const BARE_HANDLER = `import { SQSClient } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
export const handler = async () => ({ batchItemFailures: [], region: typeof sqs });
`;

const bundle = (name: string, entry: string) => bundleFunction(name, entry, OUT_DIR);
/** The consumer as a stack with `tracing: true` deploys it: the Powertools tracer and the X-Ray SDK in, and on. */
const TRACED_CONSUMER = 'consumer (tracing on)';

/** Milliseconds from process start to the bundle's module evaluated, measured inside the child. */
async function importMs(file: string, extraEnv: Record<string, string> = {}): Promise<number> {
  const script = `const t0 = performance.now(); await import(${JSON.stringify(`file://${file}`)}); console.log(performance.now() - t0);`;
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: OUT_DIR,
      env: { ...process.env, ...LAMBDA_FUNCTION_ENV, NODE_OPTIONS, ...extraEnv },
      timeout: 30_000,
    });
    return Number(stdout.trim().split('\n').at(-1));
  } catch (error) {
    // The child's stderr repeats a minified source line; its last lines say what failed.
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    const reason = stderr.split('\n').filter((line) => /Error/.test(line)).slice(0, 2).join(' / ');
    throw new Error(`importing ${path.basename(file)} failed: ${reason || (error as Error).message.slice(0, 300)}`);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The biggest contributors to a bundle, grouped by npm package (or `hookpost` for our own code). */
function topPackages(metafile: Metafile, limit: number): string {
  // The bundle, not its source map (which has no inputs).
  const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith('.mjs'))?.[1];
  if (!output) return '';
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match?.[1] ?? 'hookpost';
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KiB`)
    .join(', ');
}

async function main(): Promise<void> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const functionsDir = path.join(PROJECT_ROOT, 'functions');
  // The deployed functions only: a file in functions/ the stack does not deploy is not measured.
  const entries = [...FUNCTION_ENTRIES].sort();
  const bareEntry = path.join(OUT_DIR, 'bare-sqs-handler.mjs');
  await writeFile(bareEntry, BARE_HANDLER);

  const bundles = [
    ...(await Promise.all(entries.map((f) => bundle(f.replace(/\.ts$/, ''), path.join(functionsDir, f))))),
    await bundleFunction(TRACED_CONSUMER, path.join(functionsDir, 'consumer.ts'), OUT_DIR, { tracing: true }),
    await bundle('bare (client-sqs only)', bareEntry),
  ];
  // Its tracer is built (tracing on) but sends nothing: there is no X-Ray daemon, and the bench only imports.
  const envOf = (name: string): Record<string, string> => (name === TRACED_CONSUMER ? { POWERTOOLS_TRACE_ENABLED: 'true' } : {});

  const timings = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  // Interleaved so a burst of machine load does not land on one bundle's runs only.
  for (let i = 0; i < RUNS; i++) {
    for (const b of bundles) timings.get(b.name)?.push(await importMs(b.file, envOf(b.name)));
  }

  const bare = median(timings.get('bare (client-sqs only)') ?? []);
  console.log(`Cold start: median of ${RUNS} fresh \`node\` processes importing each bundle (Node ${process.version}, this machine)`);
  console.log('');
  console.log('| bundle                 |   size KiB |    map KiB | import ms (median) | × bare |');
  console.log('|------------------------|-----------:|-----------:|-------------------:|-------:|');
  for (const b of bundles) {
    const ms = median(timings.get(b.name) ?? []);
    console.log(
      `| ${b.name.padEnd(22)} | ${(b.bytes / 1024).toFixed(0).padStart(10)} | ${(b.mapBytes / 1024).toFixed(0).padStart(10)} | ${ms.toFixed(1).padStart(18)} | ${(ms / bare).toFixed(2).padStart(6)} |`,
    );
  }
  console.log('');
  const external = BUNDLE.externalModules.length > 0 ? BUNDLE.externalModules.join(', ') : 'nothing';
  console.log(`largest parts of each bundle (esbuild metafile, minified bytes; external: ${external}):`);
  for (const b of bundles) {
    if (b.metafile) console.log(`  ${b.name}: ${topPackages(b.metafile, 6)}`);
  }
  await rm(OUT_DIR, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
