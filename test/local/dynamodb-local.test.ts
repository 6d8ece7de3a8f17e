import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { localDynamoDbClient } from '#shared/local/aws-clients.ts';
import { startDynamoDbLocal } from '#shared/local/dynamodb-local.ts';
import { freePort } from '#shared/local/free-port.ts';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startDynamoDbLocal', () => {
  it('answers on the port it was given and leaves no process behind after stop()', async () => {
    // Arrange
    const port = await freePort();

    // Act
    const dynamoDb = await startDynamoDbLocal({ port });
    const client = localDynamoDbClient(dynamoDb.endpoint);
    const tables = await client.send(new ListTablesCommand({}));
    client.destroy();
    await dynamoDb.stop();

    // Assert
    expect(dynamoDb.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(tables.TableNames).toEqual([]);
    expect(dynamoDb.pid).toBeTypeOf('number');
    expect(isRunning(dynamoDb.pid ?? -1)).toBe(false);
  });

  it('stop() can be called twice', async () => {
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
});
