/**
 * `npm run bench:isolation` finishes a tiny run (both phases of 2 s, with the default settings and
 * with the short deadline) and prints what docs/performance.md quotes. No timing is asserted: the
 * bench measures, the tests do not.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

describe('bench:isolation', () => {
  it('runs phase A and B side by side with the default settings and with a short deadline, and ends each with its p99 and isolation ratios', async () => {
    // Arrange / Act (execFile rejects on a non-zero exit)
    const { stdout } = await run(tsx, ['bench/isolation.ts', '--rate', '20', '--seconds', '2', '--grace', '2', '--timeout-ms', '400', '--warmup', '1'], {
      cwd: root,
      timeout: 80_000,
    });

    // Assert: two runs, the defaults first, each a table and its two ratios
    const runs = stdout.split(/^settings: /m).slice(1);
    expect(runs.map((text) => text.split(' ')[0])).toEqual(['defaults', 'short']);
    expect(runs[0]).toMatch(/^defaults \(delivery timeout 10000 ms, slow lane after 5000 ms\)/);
    expect(runs[1]).toMatch(/^short \(delivery timeout 400 ms, slow lane after 200 ms\)/);
    for (const [index, name] of ['defaults', 'short'].entries()) {
      const text = runs[index] ?? '';
      expect(text).toMatch(/^\| A: 100 healthy +\| +\d+ \|.*\| +\d+ \|$/m);
      expect(text).toMatch(/^\| B: 10 of 100 hang \| +\d+ \|.*\| +\d+ \|$/m);
      expect(text).toMatch(/^queues at the end: events .*; slow lane \d+ visible/m);
      expect(text).toMatch(new RegExp(`^p99-ratio \\(${name}\\) \\d+\\.\\d+$`, 'm'));
      expect(text).toMatch(new RegExp(`^isolation-ratio \\(${name}\\) \\d+\\.\\d+$`, 'm'));
    }
  }, 90_000);
});
