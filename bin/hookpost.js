#!/usr/bin/env node
// The `hookpost` command (`npx hookpost` in this repository). The command is TypeScript, run through
// tsx as the rest of the repository is in development; this shim registers it and hands over.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');

const controller = new AbortController();
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait for the clean-up
    stopping = true;
    controller.abort();
  });
}

try {
  process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
} catch (error) {
  process.stderr.write(`hookpost: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
