/** Starts bench/receiver.ts in a child process and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The repository root; a bundled bench (which lives elsewhere) is told it through HOOKPOST_ROOT. */
export const PROJECT_ROOT = process.env.HOOKPOST_ROOT ?? path.resolve(import.meta.dirname, '..');

export interface ReceiverProcess {
  /** e.g. `http://127.0.0.1:41234` */
  readonly origin: string;
  /** Requests answered so far and when the last one arrived (epoch ms). */
  stats(): Promise<{ received: number; lastReceivedAt: number }>;
  /** Isolation mode: the never-answering server, e.g. `http://127.0.0.1:41235`. */
  readonly hangOrigin?: string;
  /** With `latencies` (or isolation): `[arrival epoch ms, publish→arrival ms, event number, …]` since the last call (then reset). */
  latencies(): Promise<number[]>;
  stop(): Promise<void>;
}

export interface ReceiverOptions {
  /** Also a never-answering server (`hangOrigin`), and latencies kept. */
  isolation?: boolean;
  /** Keep each event's publish → arrival time (events carry `data.n`). */
  latencies?: boolean;
  /** Answer each request this long after reading it. @default 0 */
  delayMs?: number;
}

export async function startReceiverProcess(options: ReceiverOptions = {}): Promise<ReceiverProcess> {
  const child: ChildProcess = fork(path.join(PROJECT_ROOT, 'bench', 'receiver.ts'), [], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      ...(options.isolation && { BENCH_RECEIVER_ISOLATION: '1' }),
      ...(options.latencies && { BENCH_RECEIVER_LATENCIES: '1' }),
      ...(options.delayMs && { BENCH_RECEIVER_DELAY_MS: String(options.delayMs) }),
    },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [port, hangPort] = await new Promise<[number, number | undefined]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('receiver did not start within 15 s')), 15_000);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^port (\d+)/m.exec(output);
      const hang = /^hang-port (\d+)/m.exec(output);
      if (match && (hang || !options.isolation)) {
        clearTimeout(timer);
        resolve([Number(match[1]), hang ? Number(hang[1]) : undefined]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`receiver exited early (code ${code})`));
    });
  });
  const ask = <T>(question: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('receiver did not answer')), 5_000);
      child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message as T);
      });
      child.send(question);
    });
  return {
    origin: `http://127.0.0.1:${port}`,
    ...(hangPort !== undefined && { hangOrigin: `http://127.0.0.1:${hangPort}` }),
    stats: () => ask<{ received: number; lastReceivedAt: number }>('count'),
    latencies: async () => (await ask<{ latencies: number[] }>('latencies')).latencies,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
