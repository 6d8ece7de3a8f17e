/** Runs the hookpost command in-process (cli/main.ts's run) with captured output and its own environment. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../cli/main.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export interface RunningCli {
  /** What it printed so far. */
  readonly out: string;
  readonly err: string;
  /** Ctrl-C: aborts its signal and waits for it to finish. */
  stop(): Promise<CliResult>;
}

/** An environment with its own HOME and XDG_CONFIG_HOME in a new temp dir: the real home is never read or written. */
export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const home = mkdtempSync(join(tmpdir(), 'hookpost-cli-'));
  return { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), NO_COLOR: '1', ...extra };
}

export function startCli(argv: string[], env: Record<string, string | undefined>): RunningCli {
  let out = '';
  let err = '';
  const controller = new AbortController();
  const done = run(argv, { stdout: { write: (text) => (out += text) }, stderr: { write: (text) => (err += text) }, env, signal: controller.signal });
  return {
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    async stop() {
      controller.abort();
      const code = await done;
      return { code, out, err };
    },
  };
}

/** Runs a verb to its end. */
export async function hookpost(argv: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: { write: (text) => (out += text) }, stderr: { write: (text) => (err += text) }, env, signal: new AbortController().signal });
  return { code, out, err };
}
