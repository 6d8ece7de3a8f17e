/** What a verb reads and writes: streams, environment and a stop signal, so tests run verbs in-process. */
export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Ends the verbs that run until stopped (`tail`, `listen`); the bin aborts it on Ctrl-C. */
  signal: AbortSignal;
}

/** Exit codes: 0 done; 1 the operation failed or the verdict is a fail; 2 the command line is wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A wrong command line: unknown verb or flag, missing or malformed argument (exit 2). */
export class UsageError extends Error {}

/** The operation failed: an API error, a network error, a signature that does not verify (exit 1). */
export class Failure extends Error {}

export interface Style {
  ok(text: string): string;
  bad(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** ANSI colours only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function styleFor(io: Io): Style {
  const on = io.stdout.isTTY === true && !io.env.NO_COLOR;
  const wrap = (code: number) => (text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { ok: wrap(32), bad: wrap(31), dim: wrap(2), bold: wrap(1) };
}

export const println = (io: Io, text = ''): void => void io.stdout.write(`${text}\n`);
export const printJson = (io: Io, value: unknown): void => println(io, JSON.stringify(value, null, 2));
/** One JSON value per line, for verbs that stream (`tail`, `listen`). */
export const printJsonLine = (io: Io, value: unknown): void => println(io, JSON.stringify(value));

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
