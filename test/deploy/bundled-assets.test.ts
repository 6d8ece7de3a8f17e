/**
 * The functions as uploaded: `cdk synth` once, then a representative part of the pipeline (management
 * CRUD, publish single and batch, fan-out, signed deliveries, a retry, a dead letter, a FIFO endpoint,
 * a rate-limited endpoint, a test send, the console) with every function loaded from its asset in
 * cdk.out — the files `cdk deploy` zips and uploads — by the template's Handler, in a child Node of the
 * template's runtime, with the template's environment (Refs and GetAtts resolved to local resources,
 * test/deploy/bundled-stack.ts OVERRIDES the only change), MemorySize and Timeout, the SQS event
 * source mappings' settings driving the pollers, and the HTTP API's routes in front.
 * HOOKPOST_BUNDLED_ECHO=1 echoes the functions' own output (their JSON log lines) to stderr.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPoller } from '#shared/local/poller.ts';
import { BUNDLE } from '../../cdk/bundling.ts';
import { apiClient, waitFor } from '../helpers/api.ts';
import type { Receiver, RecordedRequest } from '../helpers/receiver.ts';
import { queueDepth, receiverPool, subscribe as subscribeWith, waitForIdle } from '../helpers/stack.ts';
import { unresolvedImports, unresolvedIn } from './bundle-imports.ts';
import { accessKeyIdOf, type BundledStack, OVERRIDES, startBundledStack } from './bundled-stack.ts';
import { type CloudAssembly, type ResourceResolver, readAssembly, resolveValue, STACK_NAME, synthesize } from './cloud-assembly.ts';
import { BundledFunction, nodeForRuntime } from './lambda-runtime.ts';

/** The functions the pipeline needs, by construct path (the template may have more; every one is loaded). */
const EXPECTED_FUNCTIONS = ['Ingest', 'Management', 'Consumer', 'FifoConsumer', 'Console/Console'];
const SIGNING_CONTEXT = { purpose: 'hookpost-signing-secrets' };

const outDir = mkdtempSync(path.join(os.tmpdir(), 'hookpost-cdk-out-'));
let assembly: CloudAssembly;
/** The Node binary of the template's runtime. */
let nodeBinary: string;
let stack: BundledStack;
let call: ReturnType<typeof apiClient>;
const receivers = receiverPool({ lifetimeMs: 120_000 });
const subscribe = (tenant: string, url: string, eventTypes: string[], extra: Record<string, unknown> = {}) =>
  subscribeWith(call, tenant, url, eventTypes, extra);
const headersOf = (request: RecordedRequest) => Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
const numberOf = (request: RecordedRequest): number => (JSON.parse(request.body) as { data: { n: number } }).data.n;
/** Which function signed a call to the local KMS or Secrets Manager. */
const callsBy = (name: string, calls: BundledStack['kms']['calls'], operation: string) =>
  calls.filter((c) => c.accessKeyId === accessKeyIdOf(name) && c.operation === operation);

beforeAll(async () => {
  // The Node of the runtime the bundles target is fetched while cdk synth runs; the template's runtime decides below.
  const expectedRuntime = `nodejs${BUNDLE.target.replace('node', '')}.x`;
  const prefetched = nodeForRuntime(expectedRuntime);
  prefetched.catch(() => undefined);
  await synthesize(outDir);
  assembly = readAssembly(outDir);
  const runtimes = [...new Set(assembly.functions.map((f) => f.runtime))];
  // One Node for all: the stack gives every function one runtime (a second would need a second pool of binaries).
  expect(runtimes).toEqual([expectedRuntime]);
  nodeBinary = await prefetched;
  stack = await startBundledStack({
    assembly,
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    nodeBinary,
    echo: process.env.HOOKPOST_BUNDLED_ECHO === '1',
  });
  call = apiClient(stack.url, stack.adminKey);
}, 240_000);

/** What the functions answered API Gateway with when a call failed, for assertion messages. */
const integrationErrors = () => stack.api.integrationErrors.map(String).join('\n');

afterAll(async () => {
  await receivers.closeAll();
  await stack?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

describe('the uploaded code', () => {
  it('has every function of the template as an asset with its handler file, loading nothing the asset lacks', () => {
    expect(assembly.functions.map((f) => f.name)).toEqual(expect.arrayContaining(EXPECTED_FUNCTIONS));
    for (const spec of assembly.functions) {
      const [moduleName] = spec.handler.split('.');
      const file = ['.js', '.mjs', '.cjs'].map((ext) => path.join(spec.codeDir, `${moduleName}${ext}`)).find((f) => existsSync(f));
      expect(file, `${spec.name}: ${spec.handler} names no file in ${spec.codeDir}`).toBeDefined();
      // Lazy imports included: each must be built into Node or be a file of the asset.
      expect(unresolvedImports(file as string), spec.name).toEqual([]);
      // Nothing above the asset could lend it a package (the code runs from a temporary directory, as in Lambda).
      for (let dir = spec.codeDir; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        expect(existsSync(path.join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false);
      }
    }
  });

  it('the import check finds a lazily imported package that the bundle does not hold', () => {
    const bundle = 'export const handler = async () => (await import("undici")).request; const s = "import(\\"x\\")";';

    expect(unresolvedIn(bundle, outDir)).toEqual(['undici']);
    // esbuild's require shim for CommonJS dependencies, minified, counts as a load too.
    const shimmed = 'var ce=(e=>typeof require<"u"?require:e)(function(e){});var x=ce("ulid"),y=ce("node:fs");';
    expect(unresolvedIn(shimmed, outDir)).toEqual(['ulid']);
  });

  it('every function initializes from its asset on the runtime’s Node, with the template’s environment', async () => {
    const major = assembly.functions[0]?.runtime.replace(/^nodejs(\d+)\.x$/, '$1');
    for (const [name, bundled] of stack.functions) {
      await expect(bundled.warm(), name).resolves.toMatch(new RegExp(`^v${major}\\.`));
    }
  });

  it('freezes an environment between invocations, as Lambda does', async () => {
    const consumer = stack.functions.get('Consumer') as BundledFunction;
    await consumer.warm();
    const states = consumer.pids().map((pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]);
    expect(states.length).toBeGreaterThanOrEqual(1);
    expect(states).toEqual(states.map(() => 'T')); // stopped
  });

  it('keeps each function’s environment within Lambda’s 4 KB, with names and ARNs as long as AWS makes them', () => {
    // CloudFormation names a resource `<stack>-<logical id>-<12 or 13 random characters>`; the longest region names have 14 characters.
    const region = 'ap-southeast-5';
    const account = '123456789012';
    const named = (id: string) => `${STACK_NAME}-${id}-ABCDEFGHIJKLM`;
    const awsShaped: ResourceResolver = (id, attribute) => {
      const type = assembly.template.Resources[id]?.Type;
      const fifo = assembly.template.Resources[id]?.Properties?.FifoQueue === true ? '.fifo' : '';
      const shapes: Record<string, Record<string, string>> = {
        'AWS::SQS::Queue': { Ref: `https://sqs.${region}.amazonaws.com/${account}/${named(id)}${fifo}`, Arn: `arn:aws:sqs:${region}:${account}:${named(id)}${fifo}` },
        'AWS::DynamoDB::Table': { Ref: named(id), Arn: `arn:aws:dynamodb:${region}:${account}:table/${named(id)}` },
        'AWS::SNS::Topic': { Ref: `arn:aws:sns:${region}:${account}:${named(id)}` },
        'AWS::SecretsManager::Secret': { Ref: `arn:aws:secretsmanager:${region}:${account}:secret:${id}-ABCDEFGHIJKL-AbCdEf` },
        'AWS::KMS::Key': { Ref: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
      };
      const value = shapes[type ?? '']?.[attribute];
      if (value === undefined) throw new Error(`no AWS shape for ${attribute} of ${id} (${type})`);
      return value;
    };
    for (const spec of assembly.functions) {
      const bytes = Object.entries(spec.environment).reduce(
        (total, [name, value]) => total + Buffer.byteLength(name) + Buffer.byteLength(resolveValue(value, name, awsShaped)),
        0,
      );
      expect(bytes, spec.name).toBeLessThanOrEqual(4096);
    }
  });

  it('changes nothing in the template’s environment but the listed overrides', () => {
    for (const spec of assembly.functions) {
      const env = stack.environments.get(spec.name) ?? {};
      for (const [name, value] of Object.entries(spec.environment)) {
        if (typeof value === 'string') expect(env[name], `${spec.name} ${name}`).toBe(OVERRIDES[name]?.value ?? value);
        else expect(env[name], `${spec.name} ${name}`).toMatch(/\S/);
      }
    }
    expect(stack.environments.get('Consumer')?.HOOKPOST_ALLOW_PRIVATE_TARGETS).toBe('true');
  });
});

describe('a function that the template would break fails this pass', () => {
  const variant = (name: string, change: (spec: CloudAssembly['functions'][number], env: Record<string, string>) => void) => {
    const spec = { ...(assembly.functions.find((f) => f.name === name) as CloudAssembly['functions'][number]) };
    const env = { ...(stack.environments.get(name) as Record<string, string>) };
    change(spec, env);
    env._HANDLER = spec.handler;
    return new BundledFunction({ spec, env, nodeBinary });
  };

  it('a variable missing from the environment: the function fails at init, naming it', async () => {
    const broken = variant('Ingest', (_, env) => {
      delete env.HOOKPOST_TABLE_NAME;
    });
    try {
      await expect(broken.warm()).rejects.toThrow(/Ingest: Runtime\.ImportModuleError: Missing environment variable HOOKPOST_TABLE_NAME/);
      await expect(broken.invoke({})).rejects.toThrow(/HOOKPOST_TABLE_NAME/);
    } finally {
      await broken.stop();
    }
  });

  it('a handler the asset does not export, or a file it does not have: init fails as in Lambda', async () => {
    const wrongExport = variant('Consumer', (spec) => {
      spec.handler = 'index.main';
    });
    const wrongFile = variant('Consumer', (spec) => {
      spec.handler = 'consumer.handler';
    });
    try {
      await expect(wrongExport.warm()).rejects.toThrow(/Runtime\.HandlerNotFound: index\.main is undefined or not exported/);
      await expect(wrongFile.warm()).rejects.toThrow(/Runtime\.ImportModuleError: Cannot find module 'consumer'/);
    } finally {
      await Promise.all([wrongExport.stop(), wrongFile.stop()]);
    }
  });

  it('a package left out of the bundle: its import fails in the function, as it would in Lambda', async () => {
    // The console's asset with a handler that lazily imports a package, as a bundle with an external would.
    const spec = assembly.functions.find((f) => f.name === 'Console/Console') as CloudAssembly['functions'][number];
    const codeDir = mkdtempSync(path.join(os.tmpdir(), 'hookpost-external-'));
    cpSync(spec.codeDir, codeDir, { recursive: true });
    writeFileSync(path.join(codeDir, 'lazy.mjs'), 'export const handler = async () => (await import("undici")).request.name;');
    const broken = new BundledFunction({
      spec: { ...spec, codeDir, handler: 'lazy.handler' },
      env: { ...(stack.environments.get(spec.name) as Record<string, string>), _HANDLER: 'lazy.handler', LAMBDA_TASK_ROOT: codeDir },
      nodeBinary,
    });
    try {
      expect(unresolvedImports(path.join(codeDir, 'lazy.mjs'))).toEqual(['undici']);
      await expect(broken.warm()).resolves.toMatch(/^v\d+/);
      await expect(broken.invoke({})).rejects.toThrow(/Cannot find package 'undici'/);
    } finally {
      await broken.stop();
      rmSync(codeDir, { recursive: true, force: true });
    }
  });
});

describe('the event source mappings', () => {
  /** Batches a poller hands over when message `b` arrives just after the receive that got `a`. */
  async function batchesWithWindow(maxBatchingWindowSeconds: number): Promise<string[][]> {
    const name = `window-${maxBatchingWindowSeconds}-${Date.now()}`;
    const { QueueUrl: queueUrl = '' } = await stack.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'a' }));
    let sentB = false;
    const sqs = {
      send: async (command: Parameters<SQSClient['send']>[0], options?: Parameters<SQSClient['send']>[1]) => {
        const output = await stack.sqs.send(command as ReceiveMessageCommand, options);
        if (command instanceof ReceiveMessageCommand && !sentB && (output as ReceiveMessageCommandOutput).Messages?.length) {
          sentB = true;
          await stack.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'b' }));
        }
        return output;
      },
    } as unknown as SQSClient;
    const batches: string[][] = [];
    const poller = startPoller({
      sqs,
      queueUrl,
      queueArn: Attributes?.QueueArn ?? '',
      concurrency: 1,
      maxBatchingWindowSeconds,
      handler: async (event) => {
        batches.push(event.Records.map((record) => record.body));
      },
    });
    try {
      await waitFor('both messages handled', () => batches.flat().length === 2);
    } finally {
      await poller.stop();
    }
    return batches;
  }

  it('MaximumBatchingWindowInSeconds: a message that arrives within the window joins the batch; without a window it is a batch of its own', async () => {
    const windows = assembly.eventSources.map((source) => source.maxBatchingWindowSeconds);
    expect(windows.some((seconds) => seconds > 0)).toBe(true);

    expect(await batchesWithWindow(1)).toEqual([['a', 'b']]);
    expect(await batchesWithWindow(0)).toEqual([['a'], ['b']]);
  });
});

describe('the local KMS', () => {
  it('opens a data key only under the encryption context it was made with', async () => {
    const { KMSClient, GenerateDataKeyCommand, DecryptCommand } = await import('@aws-sdk/client-kms');
    const key = stack.kms.createKey();
    const kms = new KMSClient({ region: 'us-east-1', endpoint: stack.kms.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const made = await kms.send(new GenerateDataKeyCommand({ KeyId: key.arn, KeySpec: 'AES_256', EncryptionContext: SIGNING_CONTEXT }));
      const opened = await kms.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, KeyId: key.arn, EncryptionContext: SIGNING_CONTEXT }));
      expect(Buffer.from(opened.Plaintext as Uint8Array)).toEqual(Buffer.from(made.Plaintext as Uint8Array));
      await expect(
        kms.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, KeyId: key.arn, EncryptionContext: { purpose: 'other' } })),
      ).rejects.toThrow(expect.objectContaining({ name: 'InvalidCiphertextException' }));
      await expect(kms.send(new DecryptCommand({ CiphertextBlob: made.CiphertextBlob, KeyId: key.arn }))).rejects.toThrow(
        expect.objectContaining({ name: 'InvalidCiphertextException' }),
      );
    } finally {
      kms.destroy();
    }
  });
});

describe('the pipeline on the uploaded code', () => {
  beforeAll(async () => {
    for (const type of ['user.created', 'order.paid']) {
      const put = await call('PUT', `/v1/event-types/${type}`, { description: `${type} happened`, example: { n: 0 } });
      expect(put.status, `${JSON.stringify(put.body)}\n${integrationErrors()}`).toBe(201);
    }
  });

  it('management CRUD: event type, then a subscription created, read, patched and deleted, its secret sealed by KMS', async () => {
    // Event type
    const type = await call('GET', '/v1/event-types/order.paid');
    expect(type.status).toBe(200);
    expect(type.body).toMatchObject({ type: 'order.paid', description: 'order.paid happened' });

    // Create
    const generatedBefore = callsBy('Management', stack.kms.calls, 'GenerateDataKey').length;
    const created = await subscribe('crud', 'http://127.0.0.1:9/hook', ['order.*'], { description: 'first' });
    expect(created).toMatchObject({ id: expect.stringMatching(/^sub_/), secret: expect.stringMatching(/^whsec_/) });
    const generated = callsBy('Management', stack.kms.calls, 'GenerateDataKey').slice(generatedBefore);
    expect(generated.length).toBeGreaterThanOrEqual(1);
    expect(generated.every((c) => JSON.stringify(c.input.EncryptionContext) === JSON.stringify(SIGNING_CONTEXT) && !c.error)).toBe(true);

    // Read, patch, read the secret (KMS Decrypt), delete
    const read = await call('GET', `/v1/tenants/crud/subscriptions/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ url: 'http://127.0.0.1:9/hook', eventTypes: ['order.*'], description: 'first' });
    const patched = await call('PATCH', `/v1/tenants/crud/subscriptions/${created.id}`, { description: 'second', eventTypes: ['order.paid'] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((await call('GET', `/v1/tenants/crud/subscriptions/${created.id}`)).body).toMatchObject({ description: 'second', eventTypes: ['order.paid'] });
    expect((await call('GET', `/v1/tenants/crud/subscriptions/${created.id}/secret`)).body).toEqual({ secret: created.secret });
    expect((await call('DELETE', `/v1/tenants/crud/subscriptions/${created.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/tenants/crud/subscriptions/${created.id}`)).status).toBe(404);

    // Authentication came from the admin key in Secrets Manager, not from a variable.
    expect(stack.secrets.calls.some((c) => c.operation === 'GetSecretValue' && c.accessKeyId === accessKeyIdOf('Management'))).toBe(true);
    expect((await apiClient(stack.url, 'hp_wrong')('GET', '/v1/event-types')).status).toBe(401);
  });

  it('publishes one event and a batch, fanned out to two endpoints, each delivery signed and verified with standardwebhooks', async () => {
    // Arrange
    const [a, b] = await Promise.all([receivers.start(), receivers.start()]);
    const subA = await subscribe('fanout', `${a.url}/hook`, ['user.created'], { headers: { 'x-customer': 'acme' } });
    const subB = await subscribe('fanout', `${b.url}/hook`, ['user.*']);

    // Act
    const single = await call('POST', '/v1/events', { type: 'user.created', tenant: 'fanout', data: { n: 1 } });
    const batch = await call('POST', '/v1/events/batch', {
      events: [
        { type: 'user.created', tenant: 'fanout', data: { n: 2 } },
        { type: 'user.created', tenant: 'fanout', data: { n: 3 } },
      ],
    });

    // Assert
    expect(single.status, JSON.stringify(single.body)).toBe(202);
    expect(batch.status, JSON.stringify(batch.body)).toBe(207);
    const ids = [single.body.id, ...batch.body.results.map((r: { id: string; status: number }) => r.id)];
    expect(batch.body.results).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/^msg_/), type: 'user.created' }),
      expect.objectContaining({ id: expect.stringMatching(/^msg_/), type: 'user.created' }),
    ]);
    await waitFor('three deliveries to each endpoint', () => a.requests.length === 3 && b.requests.length === 3, 20_000);
    await waitForIdle({ sqs: stack.sqs, eventsQueueUrl: stack.queueUrl('EventsQueue') });
    for (const [receiver, secret] of [[a, subA.secret], [b, subB.secret]] as Array<[Receiver, string]>) {
      expect(receiver.requests.map((r) => r.headers['webhook-id']).sort()).toEqual([...ids].sort());
      expect(receiver.requests.map(numberOf).sort()).toEqual([1, 2, 3]);
      for (const request of receiver.requests) {
        expect(new Webhook(secret).verify(request.body, headersOf(request))).toMatchObject({ type: 'user.created', data: { n: numberOf(request) } });
      }
    }
    expect(a.requests[0]?.headers['x-customer']).toBe('acme');
    // The consumer opened the signing secrets with KMS under Hookpost's context.
    const decrypts = callsBy('Consumer', stack.kms.calls, 'Decrypt');
    expect(decrypts.length).toBeGreaterThanOrEqual(1);
    expect(decrypts.every((c) => JSON.stringify(c.input.EncryptionContext) === JSON.stringify(SIGNING_CONTEXT) && !c.error)).toBe(true);
  });

  it('retries an endpoint that answered 500, with the same webhook-id, and logs both attempts', async () => {
    // Arrange
    const flaky = await receivers.start({ script: [{ status: 500, body: 'down' }] });
    const sub = await subscribe('flaky', `${flaky.url}/hook`, ['order.paid'], { retrySchedule: [1, 1] });

    // Act
    const published = await call('POST', '/v1/events', { type: 'order.paid', tenant: 'flaky', data: { n: 1 } });

    // Assert
    await waitFor('the retry', () => flaky.requests.length === 2, 20_000);
    await waitForIdle({ sqs: stack.sqs, eventsQueueUrl: stack.queueUrl('EventsQueue') });
    expect(flaky.requests.map((r) => r.headers['webhook-id'])).toEqual([published.body.id, published.body.id]);
    const attempts = await waitFor('two logged attempts', async () => {
      const page = await call('GET', `/v1/tenants/flaky/subscriptions/${sub.id}/attempts`);
      return page.body.items.length === 2 ? page.body.items : undefined;
    });
    expect(attempts.map((a: { attemptNumber: number; status: string; statusCode: number }) => [a.attemptNumber, a.status, a.statusCode])).toEqual([
      [2, 'succeeded', 200],
      [1, 'failed', 500],
    ]);
  });

  it('dead-letters a delivery once its schedule is exhausted, and management lists it', async () => {
    // Arrange
    const broken = await receivers.start({ defaultResponse: { status: 500, body: 'still broken' } });
    const sub = await subscribe('broken', `${broken.url}/hook`, ['order.paid'], { retrySchedule: [1, 1] });

    // Act
    const published = await call('POST', '/v1/events', { type: 'order.paid', tenant: 'broken', data: { n: 9 } });

    // Assert: 1 attempt + 2 retries, then the DLQ
    const deadLetter = await waitFor(
      'the dead letter',
      async () => {
        const listed = await call('GET', '/v1/dead-letters');
        return listed.body.items.find((item: { message?: { message?: { id?: string } } }) => item.message?.message?.id === published.body.id);
      },
      25_000,
    );
    expect(deadLetter).toMatchObject({
      reason: expect.stringMatching(/failed 3 attempts; last: endpoint answered 500/),
      message: { kind: 'delivery', subscriptionId: sub.id, message: { type: 'order.paid', tenant: 'broken', data: { n: 9 } } },
    });
    await waitForIdle({ sqs: stack.sqs, eventsQueueUrl: stack.queueUrl('EventsQueue') });
    expect(broken.requests).toHaveLength(3);
  });

  it('delivers to a FIFO endpoint in publish order, a failing event holding the ones behind it', async () => {
    // Arrange: event 1 fails once
    let failed = false;
    const fifo = await receivers.start({
      defaultResponse: (request) => {
        if (numberOf(request) !== 1 || failed) return { status: 200, body: 'ok' };
        failed = true;
        return { status: 500, body: 'not yet' };
      },
    });
    await subscribe('fifo', `${fifo.url}/hook`, ['order.paid'], { ordering: 'fifo', retrySchedule: [1, 1] });

    // Act: published one after the other
    for (let n = 1; n <= 4; n += 1) {
      expect((await call('POST', '/v1/events', { type: 'order.paid', tenant: 'fifo', data: { n } })).status).toBe(202);
    }

    // Assert
    await waitFor('event 4 at the FIFO endpoint', () => fifo.requests.some((r) => numberOf(r) === 4), 25_000);
    await waitFor('the FIFO queue to be empty', async () => {
      const depth = await queueDepth(stack.sqs, stack.queueUrl('FifoQueue'));
      return depth.visible + depth.inFlight + depth.delayed === 0;
    });
    expect(fifo.requests.map(numberOf)).toEqual([1, 1, 2, 3, 4]);
  });

  it('paces a rate-limited endpoint: every event arrives once, on its first attempt, none before its slot', async () => {
    // Arrange
    const limited = await receivers.start();
    const sub = await subscribe('paced', `${limited.url}/hook`, ['order.paid'], { rateLimit: 1 });
    const events = Array.from({ length: 4 }, (_, n) => ({ type: 'order.paid', tenant: 'paced', data: { n } }));

    // Act
    const publishedAt = Date.now();
    const published = await call('POST', '/v1/events/batch', { events });

    // Assert
    expect(published.status).toBe(207);
    await waitFor('all four at the limited endpoint', () => limited.requests.length >= 4, 25_000);
    await waitForIdle({ sqs: stack.sqs, eventsQueueUrl: stack.queueUrl('EventsQueue') });
    expect(limited.requests.map(numberOf).sort()).toEqual([0, 1, 2, 3]);
    // Four slots of a 1/s limit, the first no earlier than the publish: the last cannot arrive sooner
    // than 3 s after it, however slow or fast the machine (unpaced, all four arrive within about 1.5 s).
    expect(Math.max(...limited.requests.map((r) => r.receivedAt)) - publishedAt).toBeGreaterThanOrEqual(3_000);
    const logged = (await call('GET', `/v1/tenants/paced/subscriptions/${sub.id}/attempts?limit=20`)).body.items as Array<{ attemptNumber: number; status: string }>;
    expect(logged.map((a) => [a.attemptNumber, a.status])).toEqual(Array.from({ length: 4 }, () => [1, 'succeeded']));
  }, 40_000);

  it('sends a test event from management, whose HTTP sender the bundle loads on first use', async () => {
    const receiver = await receivers.start({ script: [{ status: 200, body: 'thanks' }] });
    const sub = await subscribe('testing', `${receiver.url}/hook`, ['user.created']);

    const sent = await call('POST', `/v1/tenants/testing/subscriptions/${sub.id}/test`);

    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ status: 'succeeded', statusCode: 200, response: 'thanks', test: true });
    expect(receiver.requests).toHaveLength(1);
    expect(new Webhook(sub.secret).verify(receiver.requests[0]?.body ?? '', headersOf(receiver.requests[0] as RecordedRequest))).toMatchObject({ type: 'user.created' });
  });

  it('issues a portal link whose token management and ingest both verify with the key from Secrets Manager', async () => {
    const created = await call('POST', '/v1/tenants/portal/portal-sessions', {});
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const portal = apiClient(stack.url, created.body.token);

    expect((await portal('GET', '/v1/tenants/portal/subscriptions')).status).toBe(200);
    expect((await portal('GET', '/v1/tenants/other/subscriptions')).status).toBe(403);
    // Ingest knows the token (403: not allowed to publish), rather than not knowing it (401).
    expect((await portal('POST', '/v1/events', { type: 'order.paid', tenant: 'portal', data: {} })).status).toBe(403);
    for (const name of ['Management', 'Ingest']) {
      const portalKeyReads = stack.secrets.calls.filter((c) => c.accessKeyId === accessKeyIdOf(name) && String(c.input.SecretId).includes('PortalSigningKey'));
      expect(portalKeyReads.length, name).toBeGreaterThanOrEqual(1);
    }
  });

  it('serves the console page and health from their routes', async () => {
    const page = await fetch(`${stack.url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<html/i);
    const health = await fetch(`${stack.url}/v1/health`);
    expect(health.status).toBe(200);
  });

  it('no invocation failed along the way: no function error reached API Gateway or a poller', () => {
    expect(stack.api.integrationErrors.map(String)).toEqual([]);
    expect(stack.pollerErrors.map((e) => `${e.mapping} ${e.stage}: ${String(e.error)}`)).toEqual([]);
  });
});
