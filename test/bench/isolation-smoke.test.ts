/**
 * `npm run bench:isolation` finishes a tiny run (both phases of 2 s) and prints what
 * docs/performance.md quotes. No timing is asserted: the bench measures, the tests do not.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

describe('bench:isolation', () => {
  it('runs phase A and B side by side and ends with the isolation ratio', async () => {
    // Arrange / Act (execFile rejects on a non-zero exit)
    const { stdout } = await run(tsx, ['bench/isolation.ts', '--rate', '20', '--seconds', '2', '--grace', '2', '--timeout-ms', '400'], {
      cwd: root,
      timeout: 80_000,
    });

    // Assert
    const lines = stdout.trim().split('\n');
    expect(stdout).toMatch(/^\| A: 100 healthy +\| +\d+ \|/m);
    expect(stdout).toMatch(/^\| B: 10 of 100 hang \| +\d+ \|/m);
    expect(stdout).toMatch(/^queues at the end: events .*; slow lane \d+ visible/m);
    expect(lines.at(-2)).toMatch(/^p99-ratio \d+\.\d+$/);
    expect(lines.at(-1)).toMatch(/^isolation-ratio \d+\.\d+$/);
  }, 90_000);
});
