/**
 * Least privilege, function by function: which DynamoDB actions on which partitions (dynamodb:LeadingKeys),
 * which KMS and SQS actions. The expectations are derived from the code (shared/adapters/aws/*.ts,
 * shared/core/engine/dispatch.ts, shared/core/management/ingest.ts, shared/core/*.ts use cases, shared/adapters/aws/sqs.ts), not from the stack.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#shared/adapters/aws/dynamodb.ts';
import { rateLimitKey } from '#shared/adapters/aws/dynamodb-rate-limiter.ts';
import { tenantRegistryKey } from '#shared/adapters/aws/dynamodb-tenants.ts';
import { HookpostStack } from '../../cdk/hookpost-stack.ts';
import { TABLE_PARTITIONS } from '../../cdk/state.ts';
import { type Statement, actionsOf, onlyResource, statementsByResource, testApp } from './synth.ts';

let template: Template;

beforeAll(() => {
  template = Template.fromStack(new HookpostStack(testApp({ fast: true }), 'HookpostPermissions'));
}, 60_000);

type Fn = 'Ingest' | 'Management' | 'Consumer' | 'FifoConsumer';
const statementsOf = (fn: Fn): Statement[] =>
  [...statementsByResource(template).entries()].filter(([id]) => id.startsWith(`${fn}Role`)).flatMap(([, s]) => s);

const tableArn = () => ({ 'Fn::GetAtt': [onlyResource(template, 'AWS::DynamoDB::Table').logicalId, 'Arn'] });

/** action → the partition-key patterns it is allowed on, merged over every statement of the function. */
function dynamoGrants(fn: Fn): Record<string, string[]> {
  const grants: Record<string, Set<string>> = {};
  for (const statement of statementsOf(fn)) {
    const actions = actionsOf(statement).filter((a) => a.startsWith('dynamodb:'));
    if (actions.length === 0) continue;
    expect(statement.Effect).toBe('Allow');
    expect(statement.Resource).toEqual(tableArn());
    const leadingKeys = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
    // Without the condition an action reaches every item of the table.
    expect(leadingKeys, `${fn}: ${actions.join(', ')} without dynamodb:LeadingKeys`).toBeDefined();
    for (const action of actions) {
      grants[action] ??= new Set();
      for (const key of [leadingKeys].flat() as string[]) grants[action].add(key);
    }
  }
  return Object.fromEntries(Object.entries(grants).map(([action, patterns]) => [action, [...patterns].sort()]));
}

const { eventTypes, tenants, tenantRegistry, attempts, idempotency, apiKeyList, apiKeyHashes, rateLimits } = TABLE_PARTITIONS;

describe('DynamoDB', () => {
  it("ingest: reads event types and API keys by hash, claims, completes and unlocks idempotency records, queries a tenant's subscriptions (FIFO routing)", () => {
    expect(dynamoGrants('Ingest')).toEqual({
      'dynamodb:GetItem': [apiKeyHashes, eventTypes, idempotency].sort(),
      'dynamodb:PutItem': [idempotency],
      'dynamodb:UpdateItem': [idempotency],
      'dynamodb:Query': [tenants],
    });
  });

  it('the FIFO consumer: what the consumer reads and writes, nothing more', () => {
    expect(dynamoGrants('FifoConsumer')).toEqual(dynamoGrants('Consumer'));
  });

  it("consumer: queries a tenant's subscriptions, reads one afresh, updates them, keeps messages, records and reads attempts, reserves rate-limit slots", () => {
    expect(dynamoGrants('Consumer')).toEqual({
      'dynamodb:Query': [attempts, tenants].sort(),
      'dynamodb:PutItem': [attempts, tenants].sort(),
      'dynamodb:GetItem': [tenants],
      'dynamodb:UpdateItem': [rateLimits, tenants].sort(),
    });
  });

  it('management: each item action only on the partitions its use cases touch (never idempotency records), updates subscriptions only, never scans', () => {
    expect(dynamoGrants('Management')).toEqual({
      'dynamodb:GetItem': [apiKeyHashes, apiKeyList, eventTypes, tenants].sort(),
      'dynamodb:PutItem': [apiKeyHashes, apiKeyList, attempts, eventTypes, tenantRegistry, tenants].sort(),
      'dynamodb:Query': [apiKeyList, attempts, eventTypes, tenantRegistry, tenants].sort(),
      'dynamodb:DeleteItem': [apiKeyHashes, apiKeyList, eventTypes, tenantRegistry, tenants].sort(),
      'dynamodb:UpdateItem': [tenants],
    });
  });

  it.each<Fn>(['Ingest', 'Consumer', 'FifoConsumer', 'Management'])('%s: no table-wide action (wildcards, Scan, batch, streams)', (fn) => {
    const actions = statementsOf(fn).flatMap(actionsOf);
    for (const action of actions.filter((a) => a.startsWith('dynamodb:'))) {
      expect(action).not.toContain('*');
      // Scan and the batch calls carry no single leading key, so LeadingKeys would not bound them.
      expect(action).not.toMatch(/Scan|Batch|DescribeTable|GetRecords|GetShardIterator|ConditionCheckItem/);
    }
  });

  // The key layout lives in shared/adapters/aws; the patterns above must still match what the stores write.
  it.each([
    ['event type', keys.eventType('order.created').pk, eventTypes],
    ['subscription', keys.subscription('acme', 'sub_1').pk, tenants],
    ['kept message', keys.message('acme', 'msg_1').pk, tenants],
    ['attempt', keys.attempt('sub_1', 'att_1').pk, attempts],
    ['idempotency record', keys.idempotency('key_1', 'abc').pk, idempotency],
    ['rate limiter', rateLimitKey('sub_1').pk, rateLimits],
    ['tenant registry', tenantRegistryKey('acme').pk, tenantRegistry],
  ])('the %s partition key matches its pattern', (_name, pk, pattern) => {
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    expect(pk).toMatch(regex);
  });
});

describe('KMS signing-secrets key', () => {
  const keyArn = () => ({
    'Fn::GetAtt': [onlyResource(template, 'AWS::KMS::Key', (p) => String(p.Description).includes('signing secrets')).logicalId, 'Arn'],
  });
  const onKey = (fn: Fn) => statementsOf(fn).filter((s) => JSON.stringify(s.Resource) === JSON.stringify(keyArn()));
  const context = { StringEquals: { 'kms:EncryptionContext:purpose': 'hookpost-signing-secrets' } };

  it('consumer only opens secrets: Decrypt, under the encryption context', () => {
    expect(onKey('Consumer')).toEqual([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn(), Condition: context }]);
  });

  it('management seals and opens them: GenerateDataKey and Decrypt, under the encryption context', () => {
    expect(onKey('Management')).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn(), Condition: context },
    ]);
  });

  it('ingest never touches it', () => {
    expect(onKey('Ingest')).toEqual([]);
  });
});

describe('SQS', () => {
  /** false: the DLQ; true: the events queue; 'slow': the slow lane's queue (both consumed ones redrive). */
  const queueArn = (redrive: boolean | 'slow') => ({
    'Fn::GetAtt': [
      onlyResource(
        template,
        'AWS::SQS::Queue',
        (p, id) =>
          p.FifoQueue === undefined &&
          (p.RedrivePolicy !== undefined) === (redrive !== false) &&
          id.startsWith(redrive === 'slow' ? 'SlowQueue' : redrive ? 'EventsQueue' : ''),
      ).logicalId,
      'Arn',
    ],
  });
  const sqsActionsOn = (fn: Fn, resource: unknown) =>
    statementsOf(fn)
      .filter((s) => JSON.stringify([s.Resource].flat()).includes(JSON.stringify(resource)))
      .flatMap(actionsOf)
      .filter((a) => a.startsWith('sqs:'))
      .sort();

  it('management peeks at the DLQ and starts a move task (which receives and deletes there), never sends to it', () => {
    expect(sqsActionsOn('Management', queueArn(false))).toEqual(
      ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:StartMessageMoveTask'].sort(),
    );
  });

  it('management sends to the events queue (redelivery, recovery, and the move task destination)', () => {
    expect(sqsActionsOn('Management', queueArn(true))).toContain('sqs:SendMessage');
  });

  it('the consumer dead-letters and re-enqueues; ingest only enqueues', () => {
    expect(sqsActionsOn('Consumer', queueArn(false))).toContain('sqs:SendMessage');
    expect(sqsActionsOn('Consumer', queueArn(true))).toEqual(expect.arrayContaining(['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(sqsActionsOn('Ingest', queueArn(false))).toEqual([]);
    expect(sqsActionsOn('Ingest', queueArn(true))).toContain('sqs:SendMessage');
  });

  it('the slow lane: the consumer receives, deletes and sends there (deferrals, retries); nobody else touches it', () => {
    expect(sqsActionsOn('Consumer', queueArn('slow'))).toEqual(
      expect.arrayContaining(['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']),
    );
    expect(sqsActionsOn('Consumer', queueArn('slow'))).not.toContain('sqs:PurgeQueue');
    expect(sqsActionsOn('Ingest', queueArn('slow'))).toEqual([]);
    expect(sqsActionsOn('Management', queueArn('slow'))).toEqual([]);
  });

  const fifoQueueArn = (redrive: boolean) => ({
    'Fn::GetAtt': [
      onlyResource(template, 'AWS::SQS::Queue', (p) => p.FifoQueue === true && (p.RedrivePolicy !== undefined) === redrive).logicalId,
      'Arn',
    ],
  });

  it('the FIFO queue: ingest only sends there; the FIFO consumer receives, deletes and holds (visibility), and dead-letters to the DLQ', () => {
    expect(sqsActionsOn('Ingest', fifoQueueArn(true))).toEqual(['sqs:SendMessage']);
    expect(sqsActionsOn('FifoConsumer', fifoQueueArn(true))).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
    );
    expect(sqsActionsOn('FifoConsumer', fifoQueueArn(true))).not.toContain('sqs:SendMessage');
    expect(sqsActionsOn('FifoConsumer', queueArn(false))).toContain('sqs:SendMessage');
    expect(sqsActionsOn('Consumer', fifoQueueArn(true))).toEqual([]);
    expect(sqsActionsOn('Management', fifoQueueArn(true))).toEqual([]);
    // Nobody sends to the FIFO DLQ: SQS moves records there itself.
    for (const fn of ['Ingest', 'Consumer', 'FifoConsumer', 'Management'] as const) expect(sqsActionsOn(fn, fifoQueueArn(false))).toEqual([]);
  });
});
