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
  stop(): Promise<void>;
}

export async function startReceiverProcess(): Promise<ReceiverProcess> {
  const child: ChildProcess = fork(path.join(PROJECT_ROOT, 'bench', 'receiver.ts'), [], {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('receiver did not start within 15 s')), 15_000);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /port (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`receiver exited early (code ${code})`));
    });
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    stats: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('receiver did not answer')), 5_000);
        child.once('message', (message) => {
          clearTimeout(timer);
          resolve(message as { received: number; lastReceivedAt: number });
        });
        child.send('count');
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
