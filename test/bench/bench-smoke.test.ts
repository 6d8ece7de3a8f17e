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

  it('bench/cost.ts prints the cost per million events for each scenario', async () => {
    // Arrange / Act
    const { stdout } = await run(tsx, ['bench/cost.ts'], { cwd: root, timeout: 25_000 });

    // Assert
    for (const scenario of ['fan-out=1 publish=single', 'fan-out=1 publish=batch', 'fan-out=3 publish=single', 'fan-out=3 publish=batch']) {
      expect(stdout).toMatch(new RegExp(`^per-million ${scenario} \\$\\d+\\.\\d+$`, 'm'));
    }
  }, 30_000);
});
