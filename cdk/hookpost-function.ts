/** One Hookpost Lambda function: bundled ESM on Node.js 22/arm64, its own log group and a role that may write only there. */
import path from 'node:path';
import { type Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUNDLE, bundleDefine, type FunctionEntry, NODE_OPTIONS } from './bundling.ts';

/** Repository root: `cdk/` lives directly under it. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** esbuild as every function of the stack is bundled (bundling.ts), plus `extra`. */
export const bundlingOptions = (extra: nodejs.BundlingOptions = {}): nodejs.BundlingOptions => ({
  forceDockerBundling: false,
  format: BUNDLE.format as nodejs.OutputFormat,
  target: BUNDLE.target,
  mainFields: [...BUNDLE.mainFields],
  banner: BUNDLE.banner,
  minify: BUNDLE.minify,
  sourceMap: BUNDLE.sourceMap,
  sourcesContent: BUNDLE.sourcesContent,
  // The AWS SDK too (see BUNDLE.externalModules): the version the tests run, not the runtime's.
  bundleAwsSDK: true,
  externalModules: [...BUNDLE.externalModules],
  ...extra,
});

export interface HookpostFunctionProps {
  /** File under `functions/`, e.g. `consumer.ts`; it exports `handler`. */
  readonly entryFile: FunctionEntry;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetention: logs.RetentionDays;
  /** Also given to Powertools as POWERTOOLS_LOG_LEVEL by the stack. */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Lambda active tracing (X-Ray); the stack also tells Powertools through POWERTOOLS_TRACE_ENABLED. */
  readonly tracing: boolean;
  /** Shell commands run after bundling (e.g. to add files next to the bundle). */
  readonly afterBundling?: (inputDir: string, outputDir: string) => string[];
}

/**
 * Lambda's own filter for JSON logs: without it Lambda applies INFO and drops Powertools' DEBUG lines.
 * Platform records (start, report with duration and memory) are INFO; a quieter level would lose them,
 * so the system level is INFO unless everything is wanted (DEBUG).
 */
function lambdaLogLevels(level: HookpostFunctionProps['logLevel']) {
  return {
    applicationLogLevelV2: lambda.ApplicationLogLevel[level],
    systemLogLevelV2: level === 'DEBUG' ? lambda.SystemLogLevel.DEBUG : lambda.SystemLogLevel.INFO,
  };
}

export class HookpostFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HookpostFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });

    // An own role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the Hookpost ${id} function`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'functions', props.entryFile),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...lambdaLogLevels(props.logLevel),
      environment: { ...props.environment, NODE_OPTIONS },
      // The settings live in bundling.ts, shared with the cold-start bench.
      bundling: bundlingOptions({
        define: bundleDefine({ tracing: props.tracing }),
        ...(props.afterBundling
          ? { commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: props.afterBundling } }
          : {}),
      }),
    });

    // cdk-nag v3 findings accepted with a reason (Validations.acknowledge replaces NagSuppressions).
    if (props.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) do not support resource-level permissions.',
      });
    }
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime Hookpost is built and tested for; a newer runtime is a deliberate upgrade.',
    });
  }

  /**
   * sqs:SendMessage (SendMessageBatch is authorized as it) on these queues, nothing more: the queues are
   * SSE-SQS (no key to grant), and the code never reads a queue's URL or attributes to send — which
   * grantSendMessages would add (test/iam lists grants no call uses).
   */
  allowSendTo(...queues: sqs.IQueue[]): void {
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: queues.map((q) => q.queueArn) }));
  }
}
