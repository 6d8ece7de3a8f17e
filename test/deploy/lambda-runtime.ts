/**
 * A bundled Lambda function run as Lambda runs it: each execution environment is a child Node process
 * (test/deploy/lambda-host.mjs) of the template's runtime's major version, started with the
 * function's code directory as its task root and working directory, the template's environment plus
 * what Lambda itself sets, a heap sized from MemorySize, and nothing of this process's environment,
 * module cache or node_modules; frozen (SIGSTOP) between invocations as Lambda freezes it. One
 * invocation per environment at a time; a busy function gets
 * another environment, up to a local bound; an invocation that outlives the template's Timeout is
 * killed with its environment, and an environment that exits takes its invocation down with it.
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { type FunctionSpec, LOCAL_ACCOUNT, LOCAL_REGION } from './cloud-assembly.ts';

const run = promisify(execFile);
const HOST = path.join(import.meta.dirname, 'lambda-host.mjs');

/** Environments per function at most: the processes this suite may run on 2 shared cores. */
export const MAX_ENVIRONMENTS_PER_FUNCTION = 2;
/** Lines of each function's output kept for diagnostics. */
const KEPT_LOG_LINES = 2_000;

/**
 * The Node binary for a Lambda runtime (`nodejs22.x` → Node 22): this one if its major matches, else
 * the one `npx -y node@<major>` installs (the registry's node@<major> package, as .ci/run uses for Node 22).
 */
export async function nodeForRuntime(runtime: string): Promise<string> {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (!major) throw new Error(`runtime ${runtime} is not a Node.js runtime`);
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  try {
    const { stdout } = await run('npx', ['-y', `node@${major}`, '-p', 'process.execPath'], { timeout: 180_000, cwd: import.meta.dirname });
    const binary = stdout.trim().split('\n').at(-1) ?? '';
    if (!path.isAbsolute(binary)) throw new Error(`unexpected output: ${stdout}`);
    return binary;
  } catch (error) {
    throw new Error(`could not get Node ${major} for ${runtime} through npx: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export class LambdaError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName}: ${errorType}: ${message}`);
  }
}

interface Environment {
  child: ChildProcess;
  ready: Promise<string>;
  busy: boolean;
  dead: boolean;
  /** The invocation in progress, to fail if the process exits. */
  current?: { id: string; reject: (error: Error) => void };
}

export interface BundledFunctionOptions {
  spec: FunctionSpec;
  /** The environment variables the function sees, all of them. */
  env: Record<string, string>;
  nodeBinary: string;
  /** Echo the function's output to this process's stderr (for debugging). @default false */
  echo?: boolean;
}

export class BundledFunction {
  readonly name: string;
  readonly logs: string[] = [];
  /** Environments started so far (cold starts). */
  coldStarts = 0;
  private readonly environments = new Set<Environment>();
  private readonly waiting: Array<(environment: Environment) => void> = [];
  private stopped = false;

  constructor(private readonly options: BundledFunctionOptions) {
    this.name = options.spec.name;
  }

  private log(line: string): void {
    this.logs.push(line);
    if (this.logs.length > KEPT_LOG_LINES) this.logs.splice(0, this.logs.length - KEPT_LOG_LINES);
    if (this.options.echo) process.stderr.write(`[${this.name}] ${line}\n`);
  }

  private start(): Environment {
    const { spec, env, nodeBinary } = this.options;
    this.coldStarts += 1;
    const child = fork(HOST, [], {
      execPath: nodeBinary,
      // Not this process's flags (vitest's); a heap ceiling under MemorySize, as Lambda caps the process.
      execArgv: [`--max-old-space-size=${Math.floor(spec.memorySize * 0.9)}`],
      cwd: spec.codeDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.log(line);
      });
    }
    const environment: Environment = { child, busy: false, dead: false, ready: Promise.resolve('') };
    environment.ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new LambdaError(this.name, 'Sandbox.Timedout', `init did not finish within ${spec.timeoutSeconds} s`));
        this.discard(environment);
      }, spec.timeoutSeconds * 1000);
      child.on('message', (message: { type: string; nodeVersion?: string; error?: { errorType: string; errorMessage: string } }) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.freeze(environment);
          resolve(message.nodeVersion ?? '');
        } else if (message.type === 'init-error') {
          clearTimeout(timer);
          reject(new LambdaError(this.name, message.error?.errorType ?? 'Runtime.Unknown', message.error?.errorMessage ?? ''));
          this.discard(environment);
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        const error = new LambdaError(this.name, 'Runtime.ExitError', `RequestId: ${environment.current?.id ?? '-'} Error: Runtime exited with ${signal ?? `error: exit status ${code}`}`);
        const current = environment.current;
        environment.current = undefined;
        this.discard(environment);
        reject(error);
        current?.reject(error);
      });
    });
    // A rejected init is reported to whoever invokes; this only keeps it from being "unhandled".
    environment.ready.catch(() => undefined);
    this.environments.add(environment);
    return environment;
  }

  /**
   * Lambda freezes an environment once its handler has answered (or init is done) until the next
   * invocation: timers, sockets and promises left running stand still. SIGSTOP does the same here, so
   * work a function leaves behind after it answers is not done here either until it is invoked again.
   */
  private freeze(environment: Environment): void {
    if (!environment.dead && environment.child.exitCode === null) environment.child.kill('SIGSTOP');
  }

  private thaw(environment: Environment): void {
    if (!environment.dead && environment.child.exitCode === null) environment.child.kill('SIGCONT');
  }

  private discard(environment: Environment): void {
    if (environment.dead) return;
    environment.dead = true;
    this.environments.delete(environment);
    if (environment.child.exitCode === null && environment.child.signalCode === null) environment.child.kill('SIGKILL');
    // Someone waiting for an environment gets a fresh one in its place.
    const next = this.waiting.shift();
    if (next && !this.stopped) {
      const fresh = this.start();
      fresh.busy = true;
      next(fresh);
    }
  }

  private acquire(): Promise<Environment> {
    if (this.stopped) return Promise.reject(new Error(`${this.name} is stopped`));
    const idle = [...this.environments].find((environment) => !environment.busy && !environment.dead);
    const environment = idle ?? (this.environments.size < MAX_ENVIRONMENTS_PER_FUNCTION ? this.start() : undefined);
    if (environment) {
      environment.busy = true;
      return Promise.resolve(environment);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(environment: Environment): void {
    environment.busy = false;
    if (environment.dead) return;
    const next = this.waiting.shift();
    if (next) {
      environment.busy = true;
      next(environment);
    }
  }

  /** The process ids of the running environments. */
  pids(): number[] {
    return [...this.environments].flatMap((environment) => (environment.child.pid === undefined ? [] : [environment.child.pid]));
  }

  /** Starts an environment (a cold start) and resolves with its Node version once init is done, or rejects with the init error. */
  async warm(): Promise<string> {
    const environment = await this.acquire();
    try {
      return await environment.ready;
    } finally {
      this.release(environment);
    }
  }

  /** One invocation; resolves with the handler's result, rejects with a LambdaError as Lambda reports one. */
  async invoke(event: unknown): Promise<unknown> {
    const { spec } = this.options;
    const environment = await this.acquire();
    try {
      await environment.ready;
      const id = randomUUID();
      const deadlineMs = Date.now() + spec.timeoutSeconds * 1000;
      const context = {
        functionName: spec.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${spec.logicalId}`,
        // A string, as the Node.js runtime gives it.
        memoryLimitInMB: String(spec.memorySize),
        awsRequestId: id,
        logGroupName: `/aws/lambda/${spec.logicalId}`,
        logStreamName: `local/${id}`,
        deadlineMs,
      };
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          environment.current = undefined;
          reject(new LambdaError(this.name, 'Sandbox.Timedout', `RequestId: ${id} Error: Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`));
          this.discard(environment);
        }, spec.timeoutSeconds * 1000);
        const settle = (message: { type: string; id?: string; result?: unknown; error?: { errorType: string; errorMessage: string } }) => {
          if (message.id !== id) return;
          clearTimeout(timer);
          environment.child.off('message', settle);
          environment.current = undefined;
          this.freeze(environment);
          if (message.type === 'result') resolve(message.result);
          else reject(new LambdaError(this.name, message.error?.errorType ?? 'Error', message.error?.errorMessage ?? ''));
        };
        environment.current = {
          id,
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        environment.child.on('message', settle);
        this.thaw(environment);
        environment.child.send({ type: 'invoke', id, event, context });
      });
    } finally {
      this.release(environment);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const exits = [...this.environments].map(
      (environment) =>
        new Promise<void>((resolve) => {
          if (environment.child.exitCode !== null || environment.child.signalCode !== null) return resolve();
          environment.child.once('exit', () => resolve());
          environment.child.kill('SIGKILL');
        }),
    );
    await Promise.all(exits);
    this.environments.clear();
  }
}
