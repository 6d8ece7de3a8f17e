import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_REGION, dynamoDbClient } from '#shared/adapters/aws/clients.ts';
import { startDynamoDbLocal } from '#shared/local/dynamodb-local.ts';
import { freePort } from '#shared/local/free-port.ts';
import { isRunning } from '../helpers/processes.ts';

const FIXTURE = new URL('./fixtures/hold-dynamodb-local.ts', import.meta.url).pathname;

/** Runs the fixture in its own Node process and returns it once DynamoDB Local is up, with Java's pid. */
async function holdInChild(mode: 'wait' | 'throw') {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.resume();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  while (!stdout.includes('\n') && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
  const { javaPid } = JSON.parse(stdout.split('\n')[0] ?? '{}') as { javaPid: number };
  return { child, javaPid, exited };
}

async function gone(pid: number, timeoutMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isRunning(pid);
}

describe('startDynamoDbLocal', () => {
  // A JVM start takes 2–3 s on an idle machine and far longer on a busy one.
  it('answers on the port it was given and leaves no process behind after stop()', { timeout: 60_000 }, async () => {
    // Arrange
    const port = await freePort();

    // Act
    const dynamoDb = await startDynamoDbLocal({ port });
    const client = dynamoDbClient(LOCAL_REGION, dynamoDb.endpoint);
    const tables = await client.send(new ListTablesCommand({}));
    client.destroy();
    await dynamoDb.stop();

    // Assert
    expect(dynamoDb.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(tables.TableNames).toEqual([]);
    expect(dynamoDb.pid).toBeTypeOf('number');
    expect(isRunning(dynamoDb.pid ?? -1)).toBe(false);
  });

  it('stop() can be called twice', { timeout: 60_000 }, async () => {
    const dynamoDb = await startDynamoDbLocal();

    await Promise.all([dynamoDb.stop(), dynamoDb.stop()]);
    await dynamoDb.stop();

    expect(isRunning(dynamoDb.pid ?? -1)).toBe(false);
  });

  it('fails with a clear message when Java is missing', async () => {
    await expect(startDynamoDbLocal({ javaCommand: '/nonexistent/bin/java' })).rejects.toThrow(
      /needs Java 17 or newer: "\/nonexistent\/bin\/java" was not found/,
    );
  });

  // Each case starts its own JVM in a child process; run them side by side, with room for a slow start.
  // SIGTERM shares the signal path with SIGINT, and process.exit() the 'exit' path with a crash.
  it.concurrent('kills Java when the process gets SIGINT (Ctrl-C) and nobody handles it', { timeout: 90_000 }, async () => {
    const { child, javaPid, exited } = await holdInChild('wait');

    child.kill('SIGINT');
    const [, exitSignal] = await exited;

    expect(exitSignal).toBe('SIGINT'); // the process still dies of the signal, as it would without us
    expect(await gone(javaPid)).toBe(true);
  });

  it.concurrent('kills Java when the process crashes on an uncaught exception', { timeout: 90_000 }, async () => {
    const { javaPid, exited } = await holdInChild('throw');

    const [code] = await exited;

    expect(code).toBe(1);
    expect(await gone(javaPid)).toBe(true);
  });
});
