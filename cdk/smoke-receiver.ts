/**
 * The smoke test's receiver on AWS (stack prop `smokeReceiver: true`): a Lambda function URL that
 * records what Hookpost posts to it and gives it back to `npm run smoke`, which knows the random token
 * in the path (functions/smoke-receiver.ts has the contract). It keeps what it gets in a small table of
 * its own, deleted by TTL after a day, so it needs no access to Hookpost's table; its role may only
 * write its log group and put and query that table.
 */
import path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RECEIVER_ENV } from '../functions/smoke-receiver.ts';
import { NODE_OPTIONS } from './bundling.ts';
import { bundlingOptions, PROJECT_ROOT } from './hookpost-function.ts';

/** How long a received request is kept (DynamoDB TTL; deletion can lag by a day or two). */
export const SMOKE_RECEIVER_TTL = Duration.days(1);

export interface SmokeReceiverProps {
  readonly logRetention: logs.RetentionDays;
}

export class SmokeReceiver extends Construct {
  readonly table: dynamodb.Table;
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly functionUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: SmokeReceiverProps) {
    super(scope, id);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Test traffic only, kept a day: nothing to keep when the receiver is turned off.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the Hookpost smoke-test receiver',
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    // Exactly the two calls the handler makes (DynamoReceiverStore: PutCommand, QueryCommand), on its own table.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:Query'], resources: [this.table.tableArn] }));

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'functions', 'smoke-receiver.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: 'Hookpost smoke-test receiver: records what it gets for npm run smoke to read back',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(10),
      memorySize: 256,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        [RECEIVER_ENV.table]: this.table.tableName,
        [RECEIVER_ENV.ttlSeconds]: String(SMOKE_RECEIVER_TTL.toSeconds()),
        NODE_OPTIONS,
      },
      bundling: bundlingOptions(),
    });

    // Public by design: Hookpost posts to it like to any webhook endpoint, without AWS credentials. What
    // it keeps is readable only with the random token the smoke script puts in the path.
    this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    // cdk-nag findings accepted with a reason.
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime Hookpost is built and tested for; a newer runtime is a deliberate upgrade.',
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason: 'The smoke receiver keeps test requests for a day (TTL) and nothing else; there is nothing to restore.',
    });
  }
}
