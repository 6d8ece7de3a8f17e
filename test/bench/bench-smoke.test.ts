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

  it('bench/run.ts reports the filtered case (no POST, no attempt for the refused half) and the rate-limited one (≈ the limit, never above limit + 1 in a second)', async () => {
    // Arrange / Act
    const { stdout } = await run(tsx, ['bench/run.ts', '--rounds', '1', '--events', '200', '--rate-limit', '100'], { cwd: root, timeout: 25_000 });

    // Assert
    const filtered = stdout.match(/^filtered events=200 matched=100 posts=(\d+) attempts=(\d+) skipped-without-work=100 events-per-second=\d+ deliveries-per-second=\d+$/m);
    expect(filtered?.slice(1)).toEqual(['100', '100']);
    const limited = stdout.match(/^rate-limited limit=100 deliveries=200 handed-back=\d+ seconds=([\d.]+) achieved-per-second=([\d.]+) busiest-second=(\d+)$/m);
    expect(limited).not.toBeNull();
    const [seconds, achieved, busiest] = (limited as RegExpMatchArray).slice(1).map(Number);
    // 200 sends 10 ms apart span 1.99 s; a limiter that let them through at once would take a few ms.
    expect(seconds).toBeGreaterThanOrEqual(1.9);
    // About the limit: a late wake-up wastes a slot, and a busy machine has some.
    expect(achieved).toBeGreaterThanOrEqual(80);
    expect(achieved).toBeLessThanOrEqual(101);
    expect(busiest).toBeLessThanOrEqual(101);
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^delivery-ratio \d+\.\d+$/);
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
