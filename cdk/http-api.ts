/**
 * The HTTP API: one `$default` stage with throttling and access logs, the ingest function on the
 * publish routes, the management function on every other `/v1` route (the console adds its own,
 * cdk/console.ts). No API Gateway authorizer: the functions authenticate every request themselves (the
 * same cached API-key lookup as local mode). An HTTP API Lambda authorizer can only answer 403
 * {"message":"Forbidden"} or, when it fails, 500 — not the API's own 401/503 bodies.
 */
import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import type { ResolvedHookpostProps } from './stack-props.ts';

/** The stage that serves the API at the root of its URL. */
export const API_STAGE_NAME = '$default';

/** Accepts cdk-nag's "no authorizer" findings (API Gateway's and Cognito's) on `routes`, for `reason`. */
export function acknowledgeNoAuthorizer(routes: readonly IConstruct[], reason: string): void {
  for (const route of routes) {
    Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason }, { id: 'AwsSolutions-COG4', reason });
  }
}

export interface HookpostApiProps extends Pick<ResolvedHookpostProps, 'apiThrottleRateLimit' | 'apiThrottleBurstLimit'> {
  /** Serves POST /v1/events and /v1/events/batch. */
  readonly ingest: lambda.IFunction;
  /** Serves every other /v1 route, GET /v1/health included. */
  readonly management: lambda.IFunction;
  /** Where the stage writes one line per request. */
  readonly accessLogs: logs.ILogGroup;
}

export class HookpostApi extends apigwv2.HttpApi {
  /** The `$default` stage; its `url` is the API's base URL (ends with `/`). */
  readonly stage: apigwv2.HttpStage;

  constructor(scope: Construct, id: string, props: HookpostApiProps) {
    super(scope, id, { description: 'Hookpost producer and management API', createDefaultStage: false });

    this.stage = this.addStage('DefaultStage', {
      stageName: API_STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: props.apiThrottleRateLimit, burstLimit: props.apiThrottleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(props.accessLogs),
        // What was called and how it ended; never bodies or the Authorization header. The caller's
        // key id is in the function's own log line (the functions authenticate, not API Gateway).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            integrationLatency: '$context.integrationLatency',
          }),
        ),
      },
    });

    const ingest = new HttpLambdaIntegration('IngestIntegration', props.ingest);
    const management = new HttpLambdaIntegration('ManagementIntegration', props.management);
    const authenticatedRoutes = [
      ...this.addRoutes({ path: '/v1/events', methods: [apigwv2.HttpMethod.POST], integration: ingest }),
      ...this.addRoutes({ path: '/v1/events/batch', methods: [apigwv2.HttpMethod.POST], integration: ingest }),
      ...this.addRoutes({ path: '/v1/{proxy+}', methods: [apigwv2.HttpMethod.ANY], integration: management }),
    ];
    const healthRoutes = this.addRoutes({ path: '/v1/health', methods: [apigwv2.HttpMethod.GET], integration: management });

    // cdk-nag: accepted findings, each with its reason.
    const authenticatedInFunction =
      'No API Gateway authorizer by design: the integrated function authenticates every request itself with a Bearer API key (SHA-256 hash looked up in the table, or the admin key from Secrets Manager) and answers 401 without one; a Lambda authorizer could only answer 403/500. No route is anonymous except GET /v1/health and the web console.';
    acknowledgeNoAuthorizer(authenticatedRoutes, authenticatedInFunction);
    const publicHealth =
      'GET /v1/health is deliberately public (the only API route without a key, see docs/api.md) and returns no data.';
    acknowledgeNoAuthorizer(healthRoutes, publicHealth);
  }
}
