import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_REGION, dynamoDbClient } from '#shared/adapters/aws/clients.ts';
import { FIFO_MAX_RECEIVE_COUNT } from '#shared/core/engine/fifo.ts';
import { type LocalStack, startLocalStack } from '#shared/local/stack.ts';

describe('startLocalStack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ dynamoDbEndpoint: inject('dynamoDbEndpoint'), maxReceiveCount: 3 });
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('answers GET /v1/health without a key', async () => {
    const response = await fetch(`${stack.url}/v1/health`);

    expect(response.status).toBe(200);
  });

  it('answers 401 in the documented error shape on a protected route without a key', async () => {
    const response = await fetch(`${stack.url}/v1/event-types`);

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('accepts the admin key it generated', async () => {
    const response = await fetch(`${stack.url}/v1/event-types`, { headers: { authorization: `Bearer ${stack.adminKey}` } });

    expect(stack.adminKey).toMatch(/^hp_[A-Za-z0-9_-]{43}$/);
    expect(response.status).toBe(200);
  });

  it('fills the config for local mode: endpoints, private targets allowed, a table of its own, keys and secrets as on AWS', async () => {
    expect(stack.settings).toMatchObject({
      region: 'us-east-1',
      tableName: expect.stringMatching(/^hookpost-/),
      allowPrivateTargets: true,
      // Read through the stand-ins for KMS and Secrets Manager (shared/local/aws-stand-ins.ts), never set in the clear.
      secretsKeyArn: expect.stringMatching(/^arn:aws:kms:/),
      adminKeySecretArn: expect.stringMatching(/^arn:aws:secretsmanager:/),
      portalSigningKeySecretArn: expect.stringMatching(/^arn:aws:secretsmanager:/),
      maxPayloadBytes: 256 * 1024,
      deliveryTimeoutMs: 10_000,
      sqsEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    });
    expect(stack.settings.adminKey).toBeUndefined();
    expect(stack.settings.portalSigningKey).toBeUndefined();
    expect(stack.settings.localSecretsKey).toBeUndefined();
  });

  it('creates the table with the shared key schema and TTL, and the events queue with its redrive policy', async () => {
    const dynamodb = dynamoDbClient(LOCAL_REGION, inject('dynamoDbEndpoint'));
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: stack.settings.tableName }));
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: stack.settings.tableName }));
    dynamodb.destroy();
    const { Attributes } = await stack.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.eventsQueueUrl, AttributeNames: ['All'] }),
    );

    expect(table.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
    expect(Attributes?.VisibilityTimeout).toBe('60');
    expect(Attributes?.MaximumMessageSize).toBe('1048576');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: expect.stringMatching(/:hookpost-dlq$/),
      maxReceiveCount: 3,
    });
  });

  it('creates the FIFO queue like the CDK stack: no content-based deduplication, redriving to a FIFO DLQ after FIFO_MAX_RECEIVE_COUNT receives', async () => {
    const attributes = async (QueueUrl: string) =>
      (await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
    const fifo = await attributes(stack.fifoQueueUrl);
    expect(fifo).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'false', VisibilityTimeout: '60', MaximumMessageSize: '1048576' });
    expect(JSON.parse(fifo.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: expect.stringMatching(/:hookpost-fifo-dlq\.fifo$/),
      maxReceiveCount: FIFO_MAX_RECEIVE_COUNT,
    });
    expect(await attributes(stack.fifoDeadLetterQueueUrl)).toMatchObject({ FifoQueue: 'true' });
    expect(stack.settings.fifoQueueUrl).toBe(stack.fifoQueueUrl);
  });
});

describe('startLocalStack stop()', () => {
  it('stops everything promptly, twice without harm, and the API stops answering', async () => {
    // A 20 s long poll in the consumer's poller: stop() must cut it short rather than wait it out.
    const stack = await startLocalStack({ dynamoDbEndpoint: inject('dynamoDbEndpoint'), pollerWaitTimeSeconds: 20 });
    const startedAt = Date.now();
    await (await fetch(`${stack.url}/v1/health`)).text();

    await Promise.all([stack.stop(), stack.stop()]);

    expect(Date.now() - startedAt).toBeLessThan(15_000);
    await expect(fetch(`${stack.url}/v1/health`)).rejects.toThrow();
  });

  it('gives two stacks on one DynamoDB Local separate tables', async () => {
    const endpoint = inject('dynamoDbEndpoint');
    const [a, b] = await Promise.all([startLocalStack({ dynamoDbEndpoint: endpoint }), startLocalStack({ dynamoDbEndpoint: endpoint })]);
    try {
      expect(a.settings.tableName).not.toBe(b.settings.tableName);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
