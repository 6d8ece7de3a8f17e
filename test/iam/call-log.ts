/**
 * Where the suites' local stacks record their AWS calls for test/iam: a directory per vitest run
 * (vitest.config.ts gives it to both projects as HOOKPOST_AWS_CALL_LOG), so runs side by side in one
 * checkout never read or clear each other's calls.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'hookpost', 'aws-calls');

/**
 * A new directory for this run, or the one HOOKPOST_AWS_CALL_LOG already names (to evaluate an earlier
 * run's calls again: `HOOKPOST_AWS_CALL_LOG=<its directory> npx vitest run test/iam`).
 */
export const runCallLogDir = (): string => process.env.HOOKPOST_AWS_CALL_LOG || path.join(ROOT, `${Date.now()}-${process.pid}`);

/** Removes the logs of runs that ended long ago (a day), leaving any run still going. */
export function removeOldCallLogs(now = Date.now()): void {
  let runs: string[];
  try {
    runs = readdirSync(ROOT);
  } catch {
    return;
  }
  for (const run of runs) {
    const dir = path.join(ROOT, run);
    if (now - statSync(dir).mtimeMs > 86_400_000) rmSync(dir, { recursive: true, force: true });
  }
}
