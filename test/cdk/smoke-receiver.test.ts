/**
 * The `smokeReceiver` stack prop: on, the stack gains a public function URL for `npm run smoke`, with
 * a table of its own and a role that may only put and query that table and write its log group, and
 * outputs SmokeReceiverUrl; off (the default), the template is exactly the default stack's. The
 * receiver's bundle, built as the stack builds it, answers a POST and reads it back on DynamoDB Local.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { App } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoDbClient, LOCAL_REGION } from '#shared/adapters/aws/clients.ts';
import { benchOutDir, bundleFunction, LAMBDA_RUNTIME_ENV } from '../../bench/bundle.ts';
import { HookpostStack } from '../../cdk/hookpost-stack.ts';
import { NODE_OPTIONS } from '../../cdk/bundling.ts';
import { newReceiverToken } from '../../functions/smoke-receiver.ts';
import { type CfnResource, actionsOf, onlyResource, referencedId, statementsByResource, testApp } from './synth.ts';

let app: App;
let stack: HookpostStack;
let withReceiver: Template;

beforeAll(() => {
  app = testApp({ fast: true });
  stack = new HookpostStack(app, 'Hookpost', { smokeReceiver: true });
  withReceiver = Template.fromStack(stack);
}, 60_000);

const receiverFunction = () =>
  onlyResource(withReceiver, 'AWS::Lambda::Function', (p) => String(p.Description).includes('smoke-test receiver'));
const receiverTable = () => onlyResource(withReceiver, 'AWS::DynamoDB::Table', (_, id) => id.startsWith('SmokeReceiver'));
const countsByType = (template: Template) => {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(template.toJSON().Resources as Record<string, CfnResource>)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  return counts;
};

describe('smokeReceiver: true', () => {
  it('serves the receiver on a public function URL, invocable only through that URL', () => {
    const fn = receiverFunction();
    const url = onlyResource(withReceiver, 'AWS::Lambda::Url').resource;
    const permissions = Object.values(withReceiver.findResources('AWS::Lambda::Permission') as Record<string, CfnResource>).filter(
      (p) => referencedId(p.Properties.FunctionName) === fn.logicalId,
    );

    expect(referencedId(url.Properties.TargetFunctionArn)).toBe(fn.logicalId);
    expect(url.Properties.AuthType).toBe('NONE');
    expect(permissions.map((p) => p.Properties).sort((a, b) => String(a.Action).localeCompare(String(b.Action)))).toEqual([
      { Action: 'lambda:InvokeFunction', FunctionName: expect.anything(), Principal: '*', InvokedViaFunctionUrl: true },
      { Action: 'lambda:InvokeFunctionUrl', FunctionName: expect.anything(), Principal: '*', FunctionUrlAuthType: 'NONE' },
    ]);
    expect(fn.resource.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 10 });
  });

  it('outputs the URL as SmokeReceiverUrl', () => {
    const outputs = withReceiver.toJSON().Outputs as Record<string, { Value: unknown }>;

    expect(outputs.SmokeReceiverUrl?.Value).toEqual({ 'Fn::GetAtt': [onlyResource(withReceiver, 'AWS::Lambda::Url').logicalId, 'FunctionUrl'] });
  });

  it('keeps what it receives in a table of its own, deleted by TTL, named to the function', () => {
    const table = receiverTable();
    const env = (receiverFunction().resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

    expect(table.resource.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.resource.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.resource.DeletionPolicy).toBe('Delete');
    expect(referencedId(env.SMOKE_RECEIVER_TABLE)).toBe(table.logicalId);
    expect(env.SMOKE_RECEIVER_TTL_SECONDS).toBe('86400');
  });

  it('lets its role put and query its own table and write its own log group, and nothing else', () => {
    const fn = receiverFunction().resource;
    const roleId = referencedId(fn.Properties.Role);
    const logGroupId = referencedId((fn.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
    const policies = Object.entries(withReceiver.findResources('AWS::IAM::Policy') as Record<string, CfnResource>).filter(([, p]) =>
      (p.Properties.Roles as unknown[]).some((role) => referencedId(role) === roleId),
    );
    const statements = policies.flatMap(([id]) => statementsByResource(withReceiver).get(id) ?? []);
    const role = (withReceiver.findResources('AWS::IAM::Role') as Record<string, CfnResource>)[roleId ?? ''];

    expect(statements.map((s) => ({ actions: actionsOf(s).sort(), resource: referencedId(s.Resource), condition: s.Condition }))).toEqual([
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: logGroupId, condition: undefined },
      { actions: ['dynamodb:PutItem', 'dynamodb:Query'], resource: receiverTable().logicalId, condition: undefined },
    ]);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    // Hookpost's own table is not among them, and no other role gains anything on the receiver's.
    const otherGrants = [...statementsByResource(withReceiver).entries()]
      .filter(([id]) => !policies.some(([own]) => own === id))
      .flatMap(([, list]) => list)
      .filter((s) => JSON.stringify(s.Resource).includes(receiverTable().logicalId));
    expect(otherGrants).toEqual([]);
  });

  it('passes cdk-nag AwsSolutions, each accepted finding with its reason', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const acknowledged: Record<string, string> = {};
    const walk = (node: IConstruct) => {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acknowledged[`${node.node.path} ${id.replace(/^annotation::/i, '')}`] = reason;
      }
      for (const child of node.node.children) walk(child);
    };
    walk(stack.node.findChild('SmokeReceiver'));

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(Object.keys(acknowledged).sort()).toEqual(['Hookpost/SmokeReceiver/Function AwsSolutions-L1', 'Hookpost/SmokeReceiver/Table AwsSolutions-DDB3']);
    for (const reason of Object.values(acknowledged)) expect(reason.length).toBeGreaterThan(40);
  });
});

describe('smokeReceiver off (the default)', () => {
  it('leaves the template exactly as the default stack', () => {
    const byDefault = Template.fromStack(new HookpostStack(testApp({ fast: true }), 'Hookpost')).toJSON();
    const off = Template.fromStack(new HookpostStack(testApp({ fast: true }), 'Hookpost', { smokeReceiver: false })).toJSON();

    expect(off).toEqual(byDefault);
    expect(JSON.stringify(off)).not.toMatch(/SmokeReceiver/);
    // On adds exactly the receiver: its function, URL and two permissions, role and policy, log group and table.
    const added = Object.entries(countsByType(withReceiver))
      .map(([type, count]) => [type, count - (countsByType(Template.fromJSON(byDefault))[type] ?? 0)] as const)
      .filter(([, extra]) => extra !== 0);
    expect(Object.fromEntries(added)).toEqual({
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::Url': 1,
      'AWS::Lambda::Permission': 2,
      'AWS::IAM::Role': 1,
      'AWS::IAM::Policy': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::DynamoDB::Table': 1,
    });
  });
});

describe('the receiver as bundled for the stack', () => {
  const outDir = benchOutDir('hookpost-smoke-receiver-test');
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it('records a POST and reads it back through DynamoDB', async () => {
    const endpoint = inject('dynamoDbEndpoint');
    const table = `smoke-receiver-bundle-${Date.now()}`;
    await dynamoDbClient(LOCAL_REGION, endpoint).send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const bundle = await bundleFunction('smoke-receiver', path.join(import.meta.dirname, '..', '..', 'functions', 'smoke-receiver.ts'), outDir);
    const token = newReceiverToken();
    const call = (method: string, rawPath: string, body?: string) =>
      `await m.handler(${JSON.stringify({ rawPath, headers: { 'webhook-id': 'msg_1' }, body, isBase64Encoded: false, requestContext: { http: { method } } })})`;
    const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle.file).href)});
const posted = ${call('POST', `/${token}/ok`, '{"a":1}')};
const read = ${call('GET', `/${token}`)};
console.log(JSON.stringify({ posted: posted.statusCode, read: JSON.parse(read.body) }));`;

    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: outDir,
      env: { ...process.env, ...LAMBDA_RUNTIME_ENV, NODE_OPTIONS, AWS_ENDPOINT_URL_DYNAMODB: endpoint, SMOKE_RECEIVER_TABLE: table, SMOKE_RECEIVER_TTL_SECONDS: '60' },
      timeout: 30_000,
    });

    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result.posted).toBe(200);
    expect(result.read.requests).toMatchObject([{ label: 'ok', body: '{"a":1}', headers: { 'webhook-id': 'msg_1' } }]);
  }, 60_000);
});
