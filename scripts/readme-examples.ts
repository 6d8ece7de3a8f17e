/**
 * `npm run test:readme`: README.md's examples, run as a newcomer runs them, so the README cannot drift.
 *
 * Starts `npm run dev` with the README's admin key (hp_devkey) on a free loopback port, runs the
 * banner's "Try it" lines, then every block marked `<!-- readme-test: run -->` (scripts/readme-extract.ts)
 * in order: shell blocks in one `bash -euo pipefail` session (variables and functions carry over, as in
 * the reader's terminal), TypeScript blocks type-checked (strict) and run as the one module of a backend
 * that depends on this package, with HOOKPOST_URL and HOOKPOST_KEY.
 * The README's receiver (scripts/receiver.ts, which a block starts in the background) gets a free port
 * too: 127.0.0.1:3000 and 127.0.0.1:4000 in the blocks are rewritten to this run's ports, nothing else.
 * A block passes when it exits 0, its output holds its `expect` texts, and the receiver has verified
 * its `verified` count of distinct messages, never rejecting one. Everything it started is stopped at
 * the end, on a failure, and after TOTAL_TIMEOUT_MS at the latest. Exit 0 when all passed, 1 otherwise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '#shared/local/free-port.ts';
import { type Example, extractExamples, onPorts } from './readme-extract.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = `${ROOT}README.md`;
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** The admin key the README's examples use. */
const ADMIN_KEY = 'hp_devkey';
const START_TIMEOUT_MS = 90_000;
const BLOCK_TIMEOUT_MS = 60_000;
const VERIFY_TIMEOUT_MS = 20_000;
const TOTAL_TIMEOUT_MS = 240_000;
const STOP_GRACE_MS = 10_000;
/** `npm run test:readme -- --verbose` prints each block's output too. */
const VERBOSE = process.argv.includes('--verbose');

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}

/** A process in its own group (so its children, Java or a background receiver, stop with it), output collected. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv, options: { stdin?: 'pipe' | 'ignore'; cwd?: string } = {}): Proc {
  const { stdin = 'ignore', cwd = ROOT } = options;
  const child = spawn(command, args, { cwd, env, detached: true, stdio: [stdin, 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output, exited: once(child, 'exit') };
}

function running(proc: Proc): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

async function stop(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.child.pid === undefined) return;
  const group = -proc.child.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(group, name);
    } catch {} // the group is gone already
  };
  signal('SIGTERM');
  const killer = setTimeout(() => signal('SIGKILL'), STOP_GRACE_MS);
  if (running(proc)) await proc.exited;
  clearTimeout(killer);
  signal('SIGKILL'); // anything of the group still left (e.g. a background receiver)
}

async function until<T>(what: string, timeoutMs: number, check: () => T | undefined, failed: () => string | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    const problem = failed();
    if (problem) throw new Error(problem);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The environment a newcomer's terminal has: none of Hookpost's or the README's variables, nor what `npm run` adds. */
function cleanEnv(): NodeJS.ProcessEnv {
  const readmeNames = new Set(['PORT', 'HP', 'KEY', 'SUB', 'SECRET', 'RECEIVER_PORT', 'WEBHOOK_SECRET', 'INIT_CWD']);
  const kept = ([name]: [string, unknown]) => !/^(HOOKPOST_|npm_)/i.test(name) && !readmeNames.has(name);
  // `npm run` puts this package's node_modules/.bin (and its parents') first on PATH; a reader's shell has none of them.
  const npmBins = (entry: string) => entry.includes('node-gyp-bin') || (entry.endsWith('/node_modules/.bin') && ROOT.startsWith(entry.slice(0, -'node_modules/.bin'.length)));
  const path = (process.env.PATH ?? '').split(delimiter).filter((entry) => !npmBins(entry));
  return { ...Object.fromEntries(Object.entries(process.env).filter(kept)), PATH: path.join(delimiter) };
}

function where(example: Example): string {
  return `README.md:${example.line} (${example.heading})`;
}

/** The banner's "Try it" lines, with the key a user would type in for the `<your HOOKPOST_ADMIN_KEY>` they started with. */
function bannerCommands(output: string): string {
  const lines = output.split('\n');
  const first = lines.findIndex((line) => line.startsWith('Try it'));
  if (first < 0) throw new Error(`the npm run dev banner has no "Try it" lines:\n${output}`);
  const block: string[] = [];
  for (const line of lines.slice(first + 1)) {
    if (!line.startsWith('  ')) break;
    block.push(line.slice(2));
  }
  return block.join('\n').replace(/^(export HP=\S+ KEY=).*$/m, `$1${ADMIN_KEY}`);
}

/**
 * A TypeScript example as the one file of a backend that depends on this package (node_modules/hookpost
 * links here), with a strict tsconfig, so the example is type-checked against the client as published.
 */
function backendProject(code: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookpost-readme-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'hookpost'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}\n');
  const compilerOptions = {
    strict: true,
    noEmit: true,
    module: 'esnext',
    moduleResolution: 'bundler',
    target: 'es2022',
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['example.ts'] }));
  writeFileSync(join(dir, 'example.ts'), code);
  return dir;
}

/** Runs a process to its end (stopped after BLOCK_TIMEOUT_MS); throws, naming how it ended, unless it exits 0. */
async function runToEnd(what: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const proc = start(process.execPath, args, env, { cwd });
  const timer = setTimeout(() => void stop(proc), BLOCK_TIMEOUT_MS);
  await proc.exited;
  clearTimeout(timer);
  if (proc.child.exitCode !== 0) throw Object.assign(new Error(`${what} exited ${proc.child.exitCode ?? proc.child.signalCode}`), { output: proc.output() });
  return proc.output();
}

const DONE = '@@readme-block-done';
/** A block's output without the runner's own end-of-block line. */
const blockOutput = (output: string) => output.replace(new RegExp(`^${DONE}.*\n`, 'm'), '');
const verifiedIds = (output: string) => new Set([...output.matchAll(/^verified (\S+):/gm)].map((match) => match[1]));
const rejected = (output: string) => output.match(/^REJECTED .*$/m)?.[0];
const receiversUp = (output: string) => output.match(/^receiver on http:/gm)?.length ?? 0;
/** Receivers a block starts: `scripts/receiver.ts` on a line that is not a comment. */
const receiversStarted = (code: string) => code.split('\n').filter((line) => !line.trim().startsWith('#') && line.includes('scripts/receiver.ts')).length;

async function main(): Promise<number> {
  const examples = extractExamples(readFileSync(README, 'utf8'));
  for (const example of examples.filter((e) => !e.run)) console.log(`not run  ${where(example)}: ${example.reason}`);
  const ports = { api: await freePort(), receiver: await freePort() };
  console.log(`ports    the README's 127.0.0.1:3000 is 127.0.0.1:${ports.api} here, its receiver's 127.0.0.1:4000 is 127.0.0.1:${ports.receiver}`);

  const env = cleanEnv();
  let dev: Proc | undefined;
  let shell: Proc | undefined;
  const current = { step: 'starting npm run dev', code: '', outputFrom: 0, ownOutput: '' };
  /** The TypeScript examples' backend projects, made up front so they are type-checked while npm run dev starts. */
  const projects = new Map<Example, string>();
  const cleanup = async () => {
    if (shell?.child.stdin?.writable) shell.child.stdin.end();
    await Promise.all([stop(shell), stop(dev)]);
    for (const project of projects.values()) rmSync(project, { recursive: true, force: true });
  };
  /** A process run to its end as the current step, its output kept for the failure report. */
  const step = async (what: string, args: string[], stepEnv: NodeJS.ProcessEnv, cwd: string): Promise<string> => {
    try {
      current.ownOutput = await runToEnd(what, args, stepEnv, cwd);
      return current.ownOutput;
    } catch (error) {
      current.ownOutput = (error as { output?: string }).output ?? '';
      throw error;
    }
  };
  const onSignal = (signal: NodeJS.Signals) => void cleanup().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const run = async (): Promise<void> => {
    const started = Date.now();
    dev = start('npm', ['run', '--silent', 'dev'], { ...env, PORT: String(ports.api), HOOKPOST_ADMIN_KEY: ADMIN_KEY });
    const devProc = dev;
    const devExited = () => (running(devProc) ? undefined : `npm run dev exited (${devProc.child.exitCode ?? devProc.child.signalCode})`);
    for (const example of examples) if (example.run && example.runner === 'tsx') projects.set(example, backendProject(onPorts(example.code, ports)));
    for (const [example, project] of projects) {
      current.step = `${where(example)}, type-checked`;
      current.code = example.code;
      await step('tsc', [TSC, '-p', project], env, project);
      console.log(`ok       ${where(example)} type-checks`);
    }
    current.step = 'starting npm run dev';
    current.code = '';
    current.ownOutput = '';
    await until('the npm run dev banner', START_TIMEOUT_MS, () => (devProc.output().includes('Ctrl-C stops everything') ? true : undefined), devExited);
    console.log(`ok       npm run dev is up (${((Date.now() - started) / 1000).toFixed(1)} s)`);

    // The banner's own commands, in a terminal of their own.
    current.step = 'the npm run dev banner\'s "Try it" lines';
    current.code = bannerCommands(devProc.output());
    const banner = start('bash', ['-euo', 'pipefail', '-c', current.code], env);
    await banner.exited;
    current.ownOutput = banner.output();
    if (banner.child.exitCode !== 0) throw new Error(`exited ${banner.child.exitCode ?? banner.child.signalCode}`);
    if (!banner.output().includes('"id":"msg_')) throw new Error('its publish did not answer a message id');
    console.log('ok       the npm run dev banner\'s "Try it" lines');

    // The README's shell session: one bash reading the blocks from its stdin, each block's own stdin /dev/null.
    shell = start('bash', ['-euo', 'pipefail', '-s'], { ...env, RECEIVER_PORT: String(ports.receiver) }, { stdin: 'pipe' });
    const session = shell;
    const sessionExited = () => (running(session) ? undefined : `the shell exited with ${session.child.exitCode ?? session.child.signalCode}`);
    let receivers = 0;
    for (const [index, example] of examples.entries()) {
      if (!example.run) continue;
      const blockStarted = Date.now();
      current.step = where(example);
      current.code = onPorts(example.code, ports);
      current.outputFrom = session.output().length;
      current.ownOutput = '';
      if (example.runner === 'bash') {
        const done = `${DONE}-${index}-${process.pid}`;
        session.child.stdin?.write(`{\n${current.code}\n} </dev/null\necho ${done}\n`);
        await until('the block to finish', BLOCK_TIMEOUT_MS, () => (session.output().includes(done) ? true : undefined), sessionExited);
      } else {
        const moduleEnv = { ...env, HOOKPOST_URL: `http://127.0.0.1:${ports.api}`, HOOKPOST_KEY: ADMIN_KEY };
        await step('the module', ['--import', import.meta.resolve('tsx'), 'example.ts'], moduleEnv, projects.get(example) ?? ROOT);
      }
      const output = () => blockOutput(session.output().slice(current.outputFrom)) + current.ownOutput;
      receivers += receiversStarted(example.code);
      if (receiversStarted(example.code) > 0) {
        await until(`the receiver to listen ("receiver on …", ${receivers} so far)`, BLOCK_TIMEOUT_MS, () => (receiversUp(session.output()) >= receivers ? true : undefined), sessionExited);
      }
      const { verified } = example;
      if (verified !== undefined) {
        await until(
          `the receiver to verify ${verified} distinct messages (${verifiedIds(session.output()).size} so far)`,
          VERIFY_TIMEOUT_MS,
          () => (verifiedIds(session.output()).size >= verified ? true : undefined),
          () => rejected(session.output()),
        );
      }
      const bad = rejected(session.output());
      if (bad) throw new Error(`the receiver rejected a delivery: ${bad}`);
      for (const text of example.expect) if (!output().includes(text)) throw new Error(`its output lacks ${JSON.stringify(text)}`);
      console.log(`ok       ${where(example)} (${((Date.now() - blockStarted) / 1000).toFixed(1)} s)`);
      if (VERBOSE) console.log(output().replace(/^/gm, '         | '));
    }
    const ran = examples.filter((e) => e.run).length;
    const verified = verifiedIds(session.output()).size;
    console.log(`README examples: ${ran} run and passed, ${examples.length - ran} not run; the receiver verified ${verified} messages, rejected none (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the whole run took longer than ${TOTAL_TIMEOUT_MS / 1000} s`)), TOTAL_TIMEOUT_MS);
  });
  try {
    await Promise.race([run(), timeout]);
    return 0;
  } catch (error) {
    const output = blockOutput(shell?.output().slice(current.outputFrom) ?? '') + current.ownOutput;
    console.error(`FAILED   ${current.step}: ${error instanceof Error ? error.message : String(error)}`);
    if (current.code) console.error(`--- the code run (ports rewritten)\n${current.code}`);
    if (output) console.error(`--- its output\n${output}`);
    console.error(`--- npm run dev's last output\n${(dev?.output() ?? '').slice(-3000)}`);
    return 1;
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
}

process.exit(
  await main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }),
);
