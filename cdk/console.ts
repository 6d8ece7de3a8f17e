/**
 * The console and tenant portal on AWS: a `console` function serving the built web app (gzip, year-long
 * cache for hashed assets, no-cache + strict CSP for the page) on public `GET /console` and
 * `GET /console/{proxy+}` routes, and the secret that signs portal links (read by the API functions,
 * which verify them on each request, and by management, which issues them). Every API call from the page still needs a key
 * or a portal token.
 */
import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '#shared/core/platform/settings.ts';
import { HookpostFunction, type HookpostFunctionProps } from './hookpost-function.ts';
import { acknowledgeNoAuthorizer } from './http-api.ts';

export interface HookpostConsoleProps {
  readonly api: apigwv2.HttpApi;
  /** The stage URL (ends with `/`), for the ConsoleUrl output. */
  readonly apiUrl: string;
  /** Verifies portal tokens on its requests. */
  readonly ingest: HookpostFunction;
  /** Issues portal links (POST /v1/tenants/{tenant}/portal-sessions). */
  readonly management: HookpostFunction;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly logLevel: HookpostFunctionProps['logLevel'];
  readonly tracing: boolean;
  readonly memorySize: number;
  readonly portalFrameAncestors: readonly string[];
  readonly portalSigningKeySecret?: secretsmanager.ISecret;
  readonly publicUrl?: string;
}

export class HookpostConsole extends Construct {
  readonly function: HookpostFunction;
  readonly portalSigningKey: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: HookpostConsoleProps) {
    super(scope, id);
    const generated = props.portalSigningKeySecret
      ? undefined
      : new secretsmanager.Secret(this, 'PortalSigningKey', {
          description: 'Hookpost: signs tenant portal links (a new value revokes every link)',
          // 44 base64-alphabet characters decode to 33 bytes, enough for HMAC-SHA256.
          generateSecretString: { passwordLength: 44, excludePunctuation: true, includeSpace: false },
        });
    this.portalSigningKey = props.portalSigningKeySecret ?? (generated as secretsmanager.Secret);
    for (const fn of [props.ingest, props.management]) {
      this.portalSigningKey.grantRead(fn.function);
      fn.function.addEnvironment(ENV.portalSigningKeySecretArn, this.portalSigningKey.secretArn);
    }
    if (props.publicUrl) props.management.function.addEnvironment(ENV.publicUrl, props.publicUrl);

    this.function = new HookpostFunction(this, 'Console', {
      entryFile: 'console.ts',
      description: 'Hookpost: serves the admin console and tenant portal (/console)',
      environment: { ...props.environment, [ENV.portalFrameAncestors]: props.portalFrameAncestors.join(' ') },
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      tracing: props.tracing,
      timeout: Duration.seconds(10),
      memorySize: props.memorySize,
      // The built web app goes next to the handler (console/ in the function's code).
      afterBundling: (inputDir, outputDir) => [`cd "${inputDir}" && npx tsx scripts/build-console.ts --out "${outputDir}/console"`],
    });

    const integration = new HttpLambdaIntegration('ConsoleIntegration', this.function.function);
    const routes = [
      ...props.api.addRoutes({ path: '/console', methods: [apigwv2.HttpMethod.GET], integration, authorizer: new apigwv2.HttpNoneAuthorizer() }),
      ...props.api.addRoutes({ path: '/console/{proxy+}', methods: [apigwv2.HttpMethod.GET], integration, authorizer: new apigwv2.HttpNoneAuthorizer() }),
    ];
    new CfnOutput(Stack.of(this), 'ConsoleUrl', { value: `${props.apiUrl}console`, description: 'Admin console: sign in with an API key' });
    const publicPage = 'The console page and its static assets are public like any web page; they hold no data, and every API call they make needs an API key or a portal token.';
    acknowledgeNoAuthorizer(routes, publicPage);
    if (generated) {
      Validations.of(generated).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Rotating the portal signing key revokes every portal link at once, so the operator rotates it deliberately (put a new value) rather than on a schedule.',
      });
    }
  }
}
