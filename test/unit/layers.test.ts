/**
 * The layer rules (.dependency-cruiser.cjs, run by `npm run lint` inside `npm test`) catch what they
 * claim: a fixture tree with one forbidden arrow per rule fails with that rule named, a clean one passes.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const dirs: string[] = [];

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookpost-layers-'));
  dirs.push(dir);
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, moduleResolution: 'Bundler', module: 'ESNext', noEmit: true } }),
  );
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

async function cruise(dir: string): Promise<{ code: number; output: string }> {
  const bin = path.join(root, 'node_modules', '.bin', 'depcruise');
  try {
    const { stdout } = await run(bin, ['--config', path.join(root, '.dependency-cruiser.cjs'), 'shared'], { cwd: dir });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('layer rules', () => {
  it('fail on a core → adapter import, a core → AWS SDK import and an api → adapter import', async () => {
    const dir = fixture({
      'shared/adapters/aws/queue.ts': 'export const queue = 1;\n',
      'shared/core/dispatch.ts': "import { queue } from '../adapters/aws/queue.ts';\nexport const a = queue;\n",
      'shared/core/auth.ts': "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const b = SQSClient;\n",
      'shared/api/routes.ts':
        "import { a } from '../core/dispatch.ts';\nimport { b } from '../core/auth.ts';\nimport { queue } from '../adapters/aws/queue.ts';\nexport const c = [a, b, queue];\n",
      'shared/wiring.ts': "import { c } from './api/routes.ts';\nexport const d = c;\n",
    });

    const { code, output } = await cruise(dir);

    expect(code).not.toBe(0);
    expect(output).toContain('core-is-pure: shared/core/dispatch.ts → shared/adapters/aws/queue.ts');
    expect(output).toMatch(/core-without-aws-or-transport: shared\/core\/auth\.ts → \S*node_modules\/@aws-sdk\/client-sqs/);
    expect(output).toContain('api-without-adapters: shared/api/routes.ts → shared/adapters/aws/queue.ts');
  });

  it('pass when every arrow points inwards', async () => {
    const dir = fixture({
      'shared/core/ports.ts': 'export const port = 1;\n',
      'shared/adapters/aws/queue.ts': "import { port } from '../../core/ports.ts';\nexport const queue = port;\n",
      'shared/api/routes.ts': "import { port } from '../core/ports.ts';\nexport const route = port;\n",
      'shared/wiring.ts': "import { queue } from './adapters/aws/queue.ts';\nimport { route } from './api/routes.ts';\nexport const d = [queue, route];\n",
    });

    const { code, output } = await cruise(dir);

    expect(output).toContain('no dependency violations found');
    expect(code).toBe(0);
  });
});
