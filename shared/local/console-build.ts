/**
 * Builds the console and tenant portal (web/) with esbuild into hashed files under web/dist/<hash>/
 * (gitignored): app-<hash>.js, app-<hash>.css, index.html, manifest.json. `<hash>` is a digest of the
 * sources, so a build is reused until web/ (or this file) changes. The local server and the tests
 * call `ensureConsoleBuilt()` on first use; `npm run console:build` (scripts/build-console.ts) runs it
 * by hand and prints the size, and the CDK stack's bundling builds into the console function's code.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = path.join(ROOT, 'web');
export const CONSOLE_DIST = path.join(WEB, 'dist');
/** The budget for gzipped JavaScript. */
export const JS_BUDGET_GZ_BYTES = 120 * 1024;

export interface ConsoleManifest {
  /** Page shell, served for /console, /console/ and /console/portal. */
  page: string;
  /** Hashed asset file names under `assets/`. */
  assets: string[];
  jsGzipBytes: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'dist' ? [] : sourceFiles(full);
    return [full];
  });
}

/** A digest of everything the build reads (sources, catalogues, this script, the client wrapper, the lock file). */
export function sourceHash(): string {
  const hash = createHash('sha256');
  const files = [...sourceFiles(WEB), fileURLToPath(import.meta.url), path.join(ROOT, 'client', 'index.js'), path.join(ROOT, 'package-lock.json')].sort();
  for (const file of files) hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

const PAGE = (css: string, js: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Hookpost</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/${css}">
<script type="module" src="/console/assets/${js}"></script>
</head>
<body>
<noscript>Hookpost's console needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;

/** Builds into `outDir` (created; must not exist yet). */
export async function buildConsole(outDir: string): Promise<ConsoleManifest> {
  const assetsDir = path.join(outDir, 'assets');
  mkdirSync(assetsDir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(WEB, 'src', 'main.tsx')],
    outdir: assetsDir,
    entryNames: 'app-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.basename(file));
  const js = outputs.find((file) => file.endsWith('.js'));
  const css = outputs.find((file) => file.endsWith('.css'));
  if (!js || !css) throw new Error(`console build produced ${outputs.join(', ')}`);
  writeFileSync(path.join(outDir, 'index.html'), PAGE(css, js));
  const jsGzipBytes = outputs
    .filter((file) => file.endsWith('.js'))
    .reduce((sum, file) => sum + gzipSync(readFileSync(path.join(assetsDir, file)), { level: 9 }).length, 0);
  const manifest: ConsoleManifest = { page: 'index.html', assets: outputs, jsGzipBytes };
  writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

let building: Promise<string> | undefined;

/** The directory of an up-to-date build, building it first if needed (safe across concurrent processes). */
export function ensureConsoleBuilt(): Promise<string> {
  building ??= (async () => {
    const dir = path.join(CONSOLE_DIST, sourceHash());
    if (existsSync(path.join(dir, 'manifest.json'))) return dir;
    const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      await buildConsole(temp);
      try {
        renameSync(temp, dir);
      } catch (error) {
        // Another process finished the same build first: use theirs.
        if (!existsSync(path.join(dir, 'manifest.json'))) throw error;
      }
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
    pruneOldBuilds(path.basename(dir));
    return dir;
  })();
  building.catch(() => {
    building = undefined;
  });
  return building;
}

/** Keeps the current build and the two newest others. */
function pruneOldBuilds(current: string): void {
  const others = readdirSync(CONSOLE_DIST)
    .filter((name) => name !== current && !name.includes('.tmp-'))
    .map((name) => ({ name, mtime: statSync(path.join(CONSOLE_DIST, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of others.slice(2)) rmSync(path.join(CONSOLE_DIST, old.name), { recursive: true, force: true });
}
