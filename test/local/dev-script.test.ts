import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRunning } from '../helpers/processes.ts';

const DEV_SCRIPT = new URL('../../scripts/dev.ts', import.meta.url).pathname;

function runDev(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<[number | null, NodeJS.Signals | null]> } {
  const child = spawn(process.execPath, ['--import', 'tsx', DEV_SCRIPT], { env: { ...process.env, PORT: '0', ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

async function waitFor(pattern: RegExp, output: () => string, timeoutMs = 45_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = output().match(pattern);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function childJavaPids(parentPid: number): number[] {
  // /proc is Linux-only; elsewhere the check degrades to "none found".
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return ppid === parentPid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal');
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

describe('npm run dev (scripts/dev.ts)', () => {
  it('serves the API with the admin key from the environment and stops cleanly on Ctrl-C', { timeout: 90_000 }, async () => {
    // Arrange
    const dev = runDev({ HOOKPOST_ADMIN_KEY: 'hp_test_key', HOOKPOST_RETRY_SCHEDULE_SECONDS: '1, 2' });
    const [, url] = await waitFor(/API\s+(http:\/\/127\.0\.0\.1:\d+)/, dev.output);
    const javaPids = childJavaPids(dev.child.pid ?? -1);

    // Act
    const health = await fetch(`${url}/v1/health`);
    const listed = await fetch(`${url}/v1/event-types`, { headers: { authorization: 'Bearer hp_test_key' } });
    dev.child.kill('SIGINT');
    const [code] = await dev.exited;

    // Assert
    expect(health.status).toBe(200);
    expect(listed.status).toBe(200);
    expect(dev.output()).toContain('Admin key  (from HOOKPOST_ADMIN_KEY)');
    expect(dev.output()).not.toContain('hp_test_key');
    expect(dev.output()).toMatch(/Retries\s+1, 2 s/);
    expect(code).toBe(0);
    expect(javaPids).toHaveLength(1);
    expect(javaPids.filter(isRunning)).toEqual([]);
  });

  it('refuses a malformed setting before starting anything', async () => {
    const dev = runDev({ HOOKPOST_ALLOW_PRIVATE_TARGETS: 'yes' });

    const [code] = await dev.exited;

    expect(code).toBe(2);
    expect(dev.output()).toContain('HOOKPOST_ALLOW_PRIVATE_TARGETS must be "true" or "false", got "yes"');
  });
});
