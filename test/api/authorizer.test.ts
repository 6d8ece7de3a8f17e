/**
 * The Lambda authorizer handler against DynamoDB Local: the bootstrap admin key and stored keys become
 * principals in the API Gateway context; unknown and deleted keys are refused.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestContext, startApiTest } from './setup.ts';

let t: ApiTestContext;
const savedEnv = { ...process.env };
let handler: (event: APIGatewayRequestAuthorizerEventV2) => Promise<{ isAuthorized: boolean; context?: unknown }>;

const event = (authorization?: string) =>
  ({ headers: authorization ? { authorization } : {}, routeKey: 'ANY /v1/{proxy+}' }) as unknown as APIGatewayRequestAuthorizerEventV2;

beforeAll(async () => {
  t = await startApiTest();
  // The function reads its configuration from the environment at import, as on Lambda.
  Object.assign(process.env, {
    HOOKPOST_TABLE_NAME: t.stack.config.tableName,
    HOOKPOST_EVENTS_QUEUE_URL: t.stack.config.eventsQueueUrl,
    HOOKPOST_DLQ_URL: t.stack.config.deadLetterQueueUrl,
    HOOKPOST_ADMIN_KEY: t.stack.adminKey,
    HOOKPOST_DYNAMODB_ENDPOINT: t.stack.config.dynamoDbEndpoint,
    AWS_REGION: t.stack.config.region,
  });
  ({ handler } = await import('../../functions/authorizer.ts'));
});

afterAll(async () => {
  process.env = savedEnv;
  await t?.stop();
});

describe('authorizer function', () => {
  it('authorizes the bootstrap admin key and stored keys with their scope and tenant', async () => {
    const tenantKey = await t.admin('POST', '/v1/api-keys', { name: 'portal', scope: 'tenant', tenant: 'acme' });
    const publishKey = await t.admin('POST', '/v1/api-keys', { name: 'producer', scope: 'publish' });

    expect(await handler(event(`Bearer ${t.stack.adminKey}`))).toEqual({ isAuthorized: true, context: { keyId: 'admin', scope: 'admin' } });
    expect(await handler(event(`Bearer ${tenantKey.body.key}`))).toEqual({
      isAuthorized: true,
      context: { keyId: tenantKey.body.id, scope: 'tenant', tenant: 'acme' },
    });
    expect(await handler(event(`Bearer ${publishKey.body.key}`))).toEqual({
      isAuthorized: true,
      context: { keyId: publishKey.body.id, scope: 'publish' },
    });
  });

  it('refuses a missing, malformed or unknown key', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer', `Bearer hp_${'A'.repeat(43)}`]) {
      expect((await handler(event(authorization))).isAuthorized, String(authorization)).toBe(false);
    }
  });
});
