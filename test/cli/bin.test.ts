/**
 * `npx hookpost` in the repository runs the package's own bin (bin/hookpost.js, the TypeScript through
 * tsx) with nothing built first; `--no` keeps npx from ever downloading a package of that name (and
 * `--` ends npx's own flags once `--no` is there).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliEnv } from './run.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function npx(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('npx', ['--no', '--', 'hookpost', ...args], { cwd: ROOT, env: { ...process.env, ...cliEnv(), HOOKPOST_URL: '', HOOKPOST_KEY: '' }, timeout: 60_000 }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

// Each npx start resolves the package and loads tsx: seconds, more on a busy machine.
describe('npx hookpost', { timeout: 120_000 }, () => {
  it('--help lists every verb and the exit codes (exit 0)', async () => {
    const { code, out } = await npx(['--help']);
    expect(code).toBe(0);
    for (const verb of ['login', 'whoami', 'publish', 'endpoints', 'event-types', 'dead-letters', 'attempts', 'tail', 'listen', 'verify', 'certify']) {
      expect(out).toMatch(new RegExp(`^  ${verb} `, 'm'));
    }
    expect(out).toContain('Exit codes: 0 ok, 1 failed');
  });

  it('an unknown verb exits 2, and a verb without a connection says how to log in', async () => {
    expect(await npx(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown verb frobnicate') });
    expect(await npx(['whoami'])).toMatchObject({ code: 2, err: expect.stringContaining('hookpost login') });
  });
});
