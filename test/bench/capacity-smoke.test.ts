/**
 * `npm run capacity` runs and prints what docs/capacity.md quotes: the table, the props for 1,000 and
 * 10,000 events/s, and the local check. The model's arithmetic is checked on two hand-computed cases.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { capacity, concurrencyFor, invocationMs, withHanging } from '../../bench/capacity.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

describe('capacity model', () => {
  it('prints the table, the props for 1,000 and 10,000 events/s, and the local check', async () => {
    // Arrange / Act
    const { stdout } = await run(tsx, ['bench/capacity.ts'], { cwd: root, timeout: 25_000 });

    // Assert
    expect(stdout).toContain('| maxConcurrency | batch | endpoint ms | fan-out | invocation ms | events/s | deliveries/s | bound by');
    expect(stdout).toMatch(/^\|\s+10 \|\s+10 \|\s+200 \|\s+1 \|\s+275 \|\s+364 \|\s+364 \| consumer maxConcurrency 10/m);
    expect(stdout).toMatch(/^props for 1000 events\/s .*maxConcurrency=50,/m);
    expect(stdout).toMatch(/^props for 10000 events\/s .*maxConcurrency=450,.*DynamoDB/m);
    expect(stdout).toMatch(/not fetched/i);
    expect(stdout).toMatch(/^local check, bench:isolation phase B without slow lane: predicted 13\.5 /m);
  }, 30_000);

  it('follows the formulas of docs/capacity.md', () => {
    // Arrange
    const s = { maxConcurrency: 10, batchSize: 10, endpointLatencyMs: 200, fanOut: 3 };

    // Act / Assert: 30 + 200 + 5 × 29 = 375 ms; 10 × 10 / 0.375 s
    expect(invocationMs(s)).toBe(375);
    expect(capacity(s).eventsPerSecond).toBeCloseTo(266.67, 1);
    expect(capacity(s).deliveriesPerSecond).toBeCloseTo(800, 0);
    // The DynamoDB table quota (40,000 WRU/s) caps fan-out 10 at 4,000 events/s.
    expect(capacity({ ...s, maxConcurrency: 1000, endpointLatencyMs: 50, fanOut: 10 })).toMatchObject({
      eventsPerSecond: 4000,
      boundBy: expect.stringMatching(/^DynamoDB table/),
    });
    // 1,000 events/s at 375 ms per invocation needs 1.2 × 1000 / 26.7 = 45 → 50 instances.
    expect(concurrencyFor(1000, { batchSize: 10, endpointLatencyMs: 200, fanOut: 3 })).toBe(50);
    // 10 % hanging, batch 10: 1 − 0.9^10 of the batches wait the timeout.
    expect(withHanging(s, 0.1, 10_000).stalledShare).toBeCloseTo(0.6513, 3);
  });
});
