/**
 * SDK errors are classified at the client: what a retry can fix (throttling, 5xx, no connection) is the
 * core's dependency_unavailable (503); a permanent error (a malformed request) is not, so the API answers
 * 500 and logs it instead of inviting clients to retry forever.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { dynamoDbClient, LOCAL_REGION } from '#shared/adapters/aws/clients.ts';
import { isTransientAwsError } from '#shared/adapters/aws/errors.ts';
import { HookpostError } from '#shared/core/platform/errors.ts';
import { freePort } from '#shared/local/free-port.ts';

describe('AWS error translation', () => {
  it('passes a permanent error (ValidationException from DynamoDB Local) through untranslated', async () => {
    const client = dynamoDbClient(LOCAL_REGION, inject('dynamoDbEndpoint'));
    try {
      const error = await client.send(new GetItemCommand({ TableName: 'no-such-table-here', Key: {} })).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(HookpostError);
      expect((error as Error).name).toMatch(/ValidationException|ResourceNotFoundException/);
    } finally {
      client.destroy();
    }
  });

  it('turns a refused connection into dependency_unavailable', async () => {
    const client = dynamoDbClient(LOCAL_REGION, `http://127.0.0.1:${await freePort()}`);
    try {
      const error = await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HookpostError);
      expect(error).toMatchObject({ code: 'dependency_unavailable' });
    } finally {
      client.destroy();
    }
  });

  it.each([
    ['a throttling error', { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, true],
    ['provisioned throughput exceeded', { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }, true],
    ['a server fault', { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }, true],
    ['a 503 without a fault tag', { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }, true],
    ['a timeout', { name: 'TimeoutError' }, true],
    ['a reset connection', { name: 'Error', code: 'ECONNRESET' }, true],
    ['a validation error', { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, false],
    ['a failed condition', { name: 'ConditionalCheckFailedException', $fault: 'client', $metadata: { httpStatusCode: 400 } }, false],
    ['a marshalling error (no response at all)', { name: 'Error', message: 'Number 1e400 is greater than Number.MAX_SAFE_INTEGER' }, false],
  ])('classifies %s', (_name, error, transient) => {
    expect(isTransientAwsError(error)).toBe(transient);
  });
});
