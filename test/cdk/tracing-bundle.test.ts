/**
 * The consumer bundled as the stack bundles it (bench/bundle.ts, cdk/bundling.ts), once with `tracing`
 * off (the default) and once on. Off, the bundle holds neither the X-Ray SDK nor the Powertools Tracer;
 * on, it holds both, and importing it (a top-level `await import()` of the tracer) builds the tracer,
 * which is when the X-Ray SDK creates its context namespace (`process.namespaces.AWSXRay`, cls-hooked).
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { type Bundle, benchOutDir, bundleFunction, LAMBDA_FUNCTION_ENV } from '../../bench/bundle.ts';
import { NODE_OPTIONS } from '../../cdk/bundling.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const outDir = benchOutDir('hookpost-tracing-test');
const consumerEntry = path.join(root, 'functions', 'consumer.ts');

const inputsOf = (bundle: Bundle): string[] =>
  Object.keys(Object.entries(bundle.metafile?.outputs ?? {}).find(([file]) => file.endsWith('.mjs'))?.[1].inputs ?? {});
const tracerParts = (bundle: Bundle) => inputsOf(bundle).filter((input) => /aws-xray-sdk-core\/|@aws-lambda-powertools\/tracer\/lib\/esm\/Tracer\.js/.test(input));

/** Imports the bundle in a fresh node with a function's environment; prints its handler's type and the X-Ray namespace if any. */
async function load(bundle: Bundle, traceEnabled: string): Promise<string> {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle.file).href)}); console.log(typeof m.handler, Object.keys(process.namespaces ?? {}).join(',') || 'none');`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: outDir,
    env: { ...process.env, ...LAMBDA_FUNCTION_ENV, NODE_OPTIONS, POWERTOOLS_TRACE_ENABLED: traceEnabled },
    timeout: 30_000,
  });
  return stdout.trim().split('\n').at(-1) ?? '';
}

afterAll(() => rm(outDir, { recursive: true, force: true }));

describe('the consumer bundle and the tracing prop', () => {
  it('off: no X-Ray SDK and no Tracer in the bundle, and it loads without them', async () => {
    const off = await bundleFunction('consumer-tracing-off', consumerEntry, outDir, { tracing: false });

    expect(tracerParts(off)).toEqual([]);
    // Even with Powertools' variable saying true: the stack's choice was compiled in.
    expect(await load(off, 'true')).toBe('function none');
  }, 60_000);

  it('on: the bundle holds the tracer, and importing it builds one (the X-Ray SDK is then loaded)', async () => {
    const on = await bundleFunction('consumer-tracing-on', consumerEntry, outDir, { tracing: true });

    expect(tracerParts(on).some((input) => input.includes('aws-xray-sdk-core/'))).toBe(true);
    expect(await load(on, 'true')).toBe('function AWSXRay');
    // The same bundle with Powertools' variable off (set by hand on the function) builds no tracer.
    expect(await load(on, 'false')).toBe('function none');
  }, 60_000);
});
