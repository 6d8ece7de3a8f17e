/**
 * The benchmark and the cost model run and print what docs/performance.md quotes. No timing is
 * asserted: speed is measured by `npm run bench`, not by tests.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

describe('bench scripts', () => {
  it('bench/run.ts finishes one tiny round and ends with the delivery ratio', async () => {
    // Arrange / Act
    const { stdout } = await run(tsx, ['bench/run.ts', '--rounds', '1', '--events', '200'], { cwd: root, timeout: 25_000 });

    // Assert (execFile rejects on a non-zero exit)
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^delivery-ratio \d+\.\d+$/);
    expect(stdout).toContain('| hookpost |');
  }, 30_000);

  it('bench/cost.ts measures the bundled consumer, then prints the cost per million events for each scenario', async () => {
    // Arrange / Act: a short measurement (3 timed invocations per case)
    const { stdout } = await run(tsx, ['bench/cost.ts', '--invocations', '3'], { cwd: root, timeout: 120_000 });

    // Assert: a duration and an attempt-log size were measured for each case, and priced
    for (const [fanOut, batch] of [[1, 1], [1, 10], [3, 1], [3, 10]]) {
      expect(stdout).toMatch(new RegExp(`^\\|\\s+${fanOut} \\|\\s+${batch} \\|\\s+\\d+ \\|\\s+\\d+ \\|\\s+\\d+ \\|\\s+[\\d.]+ \\|\\s+[01]\\.\\d\\d \\|$`, 'm'));
    }
    for (const scenario of ['fan-out=1 publish=single', 'fan-out=1 publish=batch', 'fan-out=3 publish=single', 'fan-out=3 publish=batch']) {
      expect(stdout).toMatch(new RegExp(`^per-million ${scenario} \\$\\d+\\.\\d+$`, 'm'));
    }
    expect(stdout).toMatch(/^\|\s+10 \|\s+0 s \|/m);
    expect(stdout).toContain('ordering fifo:');
  }, 130_000);
});
