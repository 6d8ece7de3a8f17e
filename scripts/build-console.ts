/**
 * `npm run console:build`: builds the console (shared/local/console-build.ts) and prints the size;
 * `--out DIR` builds into DIR (the CDK stack's bundling of the console function).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildConsole, type ConsoleManifest, ensureConsoleBuilt, JS_BUDGET_GZ_BYTES, ROOT } from '../shared/local/console-build.ts';

const outArg = process.argv.indexOf('--out');
const dir = outArg > 0 ? path.resolve(process.argv[outArg + 1] ?? '') : await ensureConsoleBuilt();
if (outArg > 0) {
  rmSync(dir, { recursive: true, force: true });
  await buildConsole(dir);
}
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as ConsoleManifest;
console.log(`console built in ${path.relative(ROOT, dir)}: ${manifest.assets.join(', ')}; JS ${(manifest.jsGzipBytes / 1024).toFixed(1)} KiB gzipped (budget ${JS_BUDGET_GZ_BYTES / 1024} KiB)`);
if (manifest.jsGzipBytes > JS_BUDGET_GZ_BYTES) process.exit(1);
