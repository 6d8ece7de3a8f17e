/**
 * What outlives any one deployment: the single table (with the partitions each function may touch),
 * the admin API key, and the KMS key that wraps the data keys sealing webhook signing secrets.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENCRYPTION_CONTEXT as SIGNING_SECRETS_CONTEXT } from '#shared/adapters/aws/kms.ts';
import { TABLE_KEYS } from '#shared/adapters/aws/table.ts';

/**
 * Partition keys of the single table, as IAM `dynamodb:LeadingKeys` patterns. The layout is the
 * stores' (shared/adapters/aws/dynamodb.ts `keys`, shared/adapters/aws/dynamodb-api-keys.ts).
 */
export const TABLE_PARTITIONS = {
  eventTypes: 'EVENT_TYPE',
  /** A tenant's subscriptions (`SUB#…`), kept messages (`MSG#…`) and recover claims (`RECOVER#<sub>#<msg>`, with TTL). */
  tenants: 'TENANT#*',
  /** The tenant registry: one item per tenant with endpoints, so tenants are listed without a scan. */
  tenantRegistry: 'TENANTS',
  attempts: 'ATTEMPTS#*',
  idempotency: 'IDEMPOTENCY#*',
  /** API keys by id, for listing. */
  apiKeyList: 'API_KEYS',
  /** API keys by hash, for authentication. */
  apiKeyHashes: 'API_KEY#*',
  /** Per-endpoint rate-limiter state (`rateLimit`), written by the consumer only. */
  rateLimits: 'RATE#*',
} as const;

export type TablePartition = (typeof TABLE_PARTITIONS)[keyof typeof TABLE_PARTITIONS];

/** The item actions Hookpost's code calls; Scan and the batch calls are never granted (see `allow`). */
export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

/** The one DynamoDB table: on-demand, point-in-time recovery, TTL, retained and protected from deletion. */
export class HookpostTable extends dynamodb.Table {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Subscriptions, secrets and API keys outlive any one deployment.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
  }

  /**
   * Lets `role` call `actions` on items of `partitions` only. LeadingKeys bounds item and query
   * actions; Scan and batch calls have no single leading key (ForAllValues would then pass), so none
   * of them is grantable. Transactions (API keys) are checked as their PutItem/DeleteItem parts.
   */
  allow(role: iam.IRole, actions: readonly TableAction[], partitions: readonly TablePartition[]): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [this.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...partitions] } },
      }),
    );
  }
}

/** The admin API key (Authorization: Bearer <value>), generated once and read by the API functions. */
export class AdminKey extends secretsmanager.Secret {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: 'Hookpost admin API key (Authorization: Bearer <value>)',
      generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The admin API key is a bearer token held by clients; the operator rotates it deliberately (and issues scoped keys via /v1/api-keys) instead of an automatic rotation that would lock clients out.',
    });
  }
}

/**
 * Wraps the data keys that seal subscription signing secrets in the table (envelope encryption).
 * Every grant holds only under Hookpost's encryption context.
 */
export class SigningSecretsKey extends kms.Key {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: 'Wraps the data keys that encrypt Hookpost webhook signing secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Seal (GenerateDataKey) and open (Decrypt) secrets: the management function. */
  allowSealAndOpen(role: iam.IRole): void {
    role.addToPrincipalPolicy(this.statement('kms:GenerateDataKey', 'kms:Decrypt'));
  }

  /** Open (Decrypt) secrets only: the consumers, which sign deliveries. */
  allowOpen(role: iam.IRole): void {
    role.addToPrincipalPolicy(this.statement('kms:Decrypt'));
  }

  private statement(...actions: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions,
      resources: [this.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:purpose': SIGNING_SECRETS_CONTEXT.purpose } },
    });
  }
}
