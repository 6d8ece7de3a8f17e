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

  it('fail on a platform → engine import, an engine → management import and an import of an engine part from outside the engine', async () => {
    const dir = fixture({
      'shared/core/engine/index.ts': "export { attempt } from './delivery.ts';\n",
      'shared/core/engine/delivery.ts': "import { service } from '../management/services.ts';\nexport const attempt = service;\n",
      'shared/core/management/services.ts': "export const service = 1;\n",
      'shared/core/platform/ports.ts': "import { attempt } from '../engine/index.ts';\nexport const port = attempt;\n",
      'shared/adapters/lambda/batch.ts': "import { attempt } from '../../core/engine/delivery.ts';\nexport const batch = attempt;\n",
      'shared/wiring.ts': "import { batch } from './adapters/lambda/batch.ts';\nimport { port } from './core/platform/ports.ts';\nexport const d = [batch, port];\n",
    });

    const { code, output } = await cruise(dir);

    expect(code).not.toBe(0);
    expect(output).toContain('platform-is-the-floor: shared/core/platform/ports.ts → shared/core/engine/index.ts');
    expect(output).toContain('engine-without-management: shared/core/engine/delivery.ts → shared/core/management/services.ts');
    expect(output).toContain('engine-through-its-door: shared/adapters/lambda/batch.ts → shared/core/engine/delivery.ts');
  });

  it('pass when every arrow points inwards', async () => {
    const dir = fixture({
      'shared/core/platform/ports.ts': 'export const port = 1;\n',
      'shared/core/engine/delivery.ts': "import { port } from '../platform/ports.ts';\nexport const attempt = port;\n",
      'shared/core/engine/index.ts': "export { attempt } from './delivery.ts';\n",
      'shared/core/management/services.ts': "import { attempt } from '../engine/index.ts';\nimport { port } from '../platform/ports.ts';\nexport const service = [attempt, port];\n",
      'shared/adapters/aws/queue.ts': "import { port } from '../../core/platform/ports.ts';\nexport const queue = port;\n",
      'shared/api/routes.ts': "import { service } from '../core/management/services.ts';\nexport const route = service;\n",
      'shared/wiring.ts': "import { queue } from './adapters/aws/queue.ts';\nimport { route } from './api/routes.ts';\nexport const d = [queue, route];\n",
    });

    const { code, output } = await cruise(dir);

    expect(output).toContain('no dependency violations found');
    expect(code).toBe(0);
  });
});
