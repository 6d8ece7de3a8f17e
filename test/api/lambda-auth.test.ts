/**
 * The management Lambda handler itself, fed API Gateway events, against DynamoDB Local: on AWS each
 * function authenticates its requests, so a missing or unknown key is 401, a key of the wrong scope
 * 403 and a table that cannot be reached 503 — in the documented error shape, exactly as locally.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '#shared/core/platform/settings.ts';
import { freePort } from '#shared/local/free-port.ts';
import { type ApiTestContext, errorShape, functionEnvironment, startApiTest } from './setup.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

let t: ApiTestContext;
const savedEnv = { ...process.env };

const context = { functionName: 'management', awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

function event(method: string, path: string, authorization?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: authorization ? { authorization } : {},
    isBase64Encoded: false,
    requestContext: { http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
}

/** Imports the function fresh with the environment Lambda would give it. */
async function managementHandler(env: Record<string, string>): Promise<Handler> {
  Object.assign(process.env, env);
  vi.resetModules();
  const module = (await import('../../functions/management.ts')) as { handler: Handler };
  return module.handler;
}

const call = async (handler: Handler, method: string, path: string, authorization?: string) => {
  const result = await handler(event(method, path, authorization), context);
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
};

let handler: Handler;
let environment: Record<string, string>;

beforeAll(async () => {
  t = await startApiTest();
  environment = functionEnvironment(t.stack);
  handler = await managementHandler(environment);
});

afterAll(async () => {
  process.env = savedEnv;
  await t?.stop();
});

describe('management function authenticates its own requests', () => {
  it('accepts the bootstrap admin key and stored keys with their scope and tenant', async () => {
    const tenantKey = await t.admin('POST', '/v1/api-keys', { name: 'portal', scope: 'tenant', tenant: 'acme' });

    expect((await call(handler, 'GET', '/v1/api-keys', `Bearer ${t.stack.adminKey}`)).status).toBe(200);
    expect((await call(handler, 'GET', '/v1/tenants/acme/subscriptions', `Bearer ${tenantKey.body.key}`)).status).toBe(200);
  });

  it('answers 401 in the error shape for a missing, malformed or unknown key', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer', `Bearer hp_${'A'.repeat(43)}`]) {
      const response = await call(handler, 'GET', '/v1/api-keys', authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.body).toMatchObject(errorShape);
      expect(response.body).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('answers 403 in the error shape for a key of the wrong scope or tenant', async () => {
    const tenantKey = await t.admin('POST', '/v1/api-keys', { name: 'other', scope: 'tenant', tenant: 'acme' });

    for (const path of ['/v1/api-keys', '/v1/tenants/globex/subscriptions']) {
      const response = await call(handler, 'GET', path, `Bearer ${tenantKey.body.key}`);
      expect(response.status, path).toBe(403);
      expect(response.body).toMatchObject({ error: { code: 'forbidden' } });
    }
  });

  it('records no response in traces: a created secret or key never becomes trace metadata', async () => {
    const tracedHandler = await managementHandler({ ...environment, POWERTOOLS_TRACE_ENABLED: 'true' });
    const { tracer } = await import('#shared/adapters/lambda/observability.ts');
    if (!tracer) throw new Error('with POWERTOOLS_TRACE_ENABLED=true the functions build a tracer');
    vi.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true);
    vi.spyOn(tracer, 'getSegment').mockReturnValue(undefined);
    vi.spyOn(tracer, 'annotateColdStart').mockImplementation(() => {});
    vi.spyOn(tracer, 'addServiceNameAnnotation').mockImplementation(() => {});
    const recorded = vi.spyOn(tracer, 'addResponseAsMetadata').mockImplementation(() => {});
    try {
      const body = JSON.stringify({ name: 'traced', scope: 'publish' });
      const created = await tracedHandler(
        { ...event('POST', '/v1/api-keys', `Bearer ${t.stack.adminKey}`), headers: { authorization: `Bearer ${t.stack.adminKey}`, 'content-type': 'application/json' }, body },
        context,
      );
      expect(created.statusCode).toBe(201);
      expect(JSON.parse(created.body ?? '{}').key).toMatch(/^hp_/);
      expect(recorded).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('builds no tracer with tracing off (the stack default), so the X-Ray SDK is never evaluated', async () => {
    await managementHandler({ ...environment, POWERTOOLS_TRACE_ENABLED: 'false' });
    const observability = await import('#shared/adapters/lambda/observability.ts');
    const client = { send: () => 'sent' };

    expect(observability.tracer).toBeUndefined();
    expect(observability.tracing()).toEqual([]);
    expect(observability.traced(client)).toBe(client);
  });

  it('answers 503 in the error shape when the table cannot be reached', async () => {
    const closedPort = await freePort();
    const down = await managementHandler({ ...environment, [ENV.dynamoDbEndpoint]: `http://127.0.0.1:${closedPort}` });

    const response = await call(down, 'GET', '/v1/tenants/acme/subscriptions', `Bearer hp_${'B'.repeat(43)}`);

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ error: { code: 'dependency_unavailable' } });
  });
});
