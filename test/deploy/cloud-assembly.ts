/**
 * The synthesized cloud assembly, read as `cdk deploy` reads it: the template's functions (the asset
 * directory it uploads for each, Handler, Runtime, MemorySize, Timeout, Environment), the SQS event
 * source mappings, the HTTP API's routes, and CloudFormation's intrinsics resolved against local
 * resources. Anything this harness does not know how to reproduce is an error, not a silent default.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

export const STACK_NAME = 'Hookpost';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export interface FunctionSpec {
  logicalId: string;
  /** The construct path without the stack and `/Function/Resource`, e.g. `Consumer`, `Console/Console`. */
  name: string;
  /** The directory `cdk deploy` zips and uploads as the function's code. */
  codeDir: string;
  handler: string;
  runtime: string;
  memorySize: number;
  timeoutSeconds: number;
  /** As in the template: strings, or intrinsics still to resolve. */
  environment: Record<string, unknown>;
  logFormat?: string;
  applicationLogLevel?: string;
}

export interface EventSourceSpec {
  logicalId: string;
  /** The queue's logical id. */
  queue: string;
  /** The function's logical id. */
  function: string;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  /** ScalingConfig.MaximumConcurrency, if set. */
  maxConcurrency?: number;
}

export interface RouteSpec {
  routeKey: string;
  /** The integrated function's logical id. */
  function: string;
}

export interface CloudAssembly {
  outDir: string;
  template: { Resources: Record<string, CfnResource> };
  functions: FunctionSpec[];
  eventSources: EventSourceSpec[];
  routes: RouteSpec[];
  /** The logical id of the one resource whose construct path is `Hookpost/<constructPath>/Resource`. */
  logicalIdOf(constructPath: string): string;
}

/**
 * `cdk synth` exactly as a user runs it before `cdk deploy` (cdk.json's app, its context, cdk-nag's
 * checks, real esbuild bundling), into `outDir`. The CLI rather than the App code path alone: running
 * `cdk/app.ts` with CDK_OUTDIR took 17 s against the CLI's 23 s on the loaded 2-core machine (16 s
 * unloaded), not much faster, and it would leave out what the CLI adds (its context defaults, the
 * asset manifest as deploy reads it), so the few seconds buy the very files `cdk deploy` uploads.
 */
export async function synthesize(outDir: string): Promise<void> {
  const cdk = path.join(ROOT, 'node_modules', '.bin', 'cdk');
  try {
    await run(cdk, ['synth', '--no-notices', '-q', '-o', outDir], {
      cwd: ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1' },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`cdk synth failed:\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function refTarget(value: unknown, where: string): string {
  if (isRecord(value) && typeof value.Ref === 'string') return value.Ref;
  if (isRecord(value) && Array.isArray(value['Fn::GetAtt']) && typeof value['Fn::GetAtt'][0] === 'string') return value['Fn::GetAtt'][0];
  throw new Error(`${where}: expected a Ref or Fn::GetAtt, got ${JSON.stringify(value)}`);
}

/** Every Ref inside a value (e.g. the integration in `Fn::Join ["", ["integrations/", {Ref}]]`). */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (!isRecord(value)) return [];
  if (typeof value.Ref === 'string') return [value.Ref];
  return Object.values(value).flatMap(refsIn);
}

/** Fails on properties this harness would not reproduce, so a new one is a decision, not a silent difference. */
function onlyKnown(properties: Record<string, unknown>, known: readonly string[], where: string): void {
  const unknown = Object.keys(properties).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: ${unknown.join(', ')} not reproduced locally (test/deploy/cloud-assembly.ts)`);
}

export function readAssembly(outDir: string): CloudAssembly {
  const template = JSON.parse(readFileSync(path.join(outDir, `${STACK_NAME}.template.json`), 'utf8')) as CloudAssembly['template'];
  const assets = JSON.parse(readFileSync(path.join(outDir, `${STACK_NAME}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type);

  /** The asset whose upload lands at the function's S3Key: what Lambda will run. */
  const codeDirOf = (logicalId: string, code: unknown): string => {
    const key = isRecord(code) ? code.S3Key : undefined;
    const asset = Object.values(assets.files).find((file) => Object.values(file.destinations).some((d) => d.objectKey === key));
    if (!asset) throw new Error(`${logicalId}: no asset in ${STACK_NAME}.assets.json is uploaded to ${String(key)}`);
    if (asset.source.packaging !== 'zip') throw new Error(`${logicalId}: asset ${asset.source.path} is not a zipped directory`);
    const dir = path.join(outDir, asset.source.path);
    if (!existsSync(dir)) throw new Error(`${logicalId}: asset directory ${dir} is missing`);
    return dir;
  };

  const functions = ofType('AWS::Lambda::Function').map(([logicalId, resource]): FunctionSpec => {
    const p = resource.Properties ?? {};
    const cdkPath = String(resource.Metadata?.['aws:cdk:path'] ?? logicalId);
    const logging = isRecord(p.LoggingConfig) ? p.LoggingConfig : {};
    if (p.PackageType === 'Image') throw new Error(`${logicalId}: container images are not reproduced locally`);
    if (Array.isArray(p.Layers) && p.Layers.length > 0) throw new Error(`${logicalId}: layers are not reproduced locally`);
    return {
      logicalId,
      name: cdkPath.replace(`${STACK_NAME}/`, '').replace(/\/Function\/Resource$/, ''),
      codeDir: codeDirOf(logicalId, p.Code),
      handler: String(p.Handler),
      runtime: String(p.Runtime),
      // CloudFormation's defaults when the template leaves them out.
      memorySize: Number(p.MemorySize ?? 128),
      timeoutSeconds: Number(p.Timeout ?? 3),
      environment: isRecord(p.Environment) && isRecord(p.Environment.Variables) ? p.Environment.Variables : {},
      ...(typeof logging.LogFormat === 'string' && { logFormat: logging.LogFormat }),
      ...(typeof logging.ApplicationLogLevel === 'string' && { applicationLogLevel: logging.ApplicationLogLevel }),
    };
  });

  const eventSources = ofType('AWS::Lambda::EventSourceMapping').map(([logicalId, resource]): EventSourceSpec => {
    const p = resource.Properties ?? {};
    onlyKnown(
      p,
      ['EventSourceArn', 'FunctionName', 'BatchSize', 'MaximumBatchingWindowInSeconds', 'FunctionResponseTypes', 'ScalingConfig', 'Enabled'],
      logicalId,
    );
    if (p.Enabled === false) throw new Error(`${logicalId}: a disabled event source mapping is not reproduced locally`);
    const scaling = isRecord(p.ScalingConfig) ? p.ScalingConfig : {};
    const responseTypes = Array.isArray(p.FunctionResponseTypes) ? p.FunctionResponseTypes : [];
    return {
      logicalId,
      queue: refTarget(p.EventSourceArn, `${logicalId}.EventSourceArn`),
      function: refTarget(p.FunctionName, `${logicalId}.FunctionName`),
      // Lambda's defaults for an SQS source.
      batchSize: Number(p.BatchSize ?? 10),
      maxBatchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
      reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
      ...(scaling.MaximumConcurrency !== undefined && { maxConcurrency: Number(scaling.MaximumConcurrency) }),
    };
  });

  const routes = ofType('AWS::ApiGatewayV2::Route').map(([logicalId, resource]): RouteSpec => {
    const p = resource.Properties ?? {};
    if (p.AuthorizationType !== undefined && p.AuthorizationType !== 'NONE') {
      throw new Error(`${logicalId}: authorizer ${String(p.AuthorizationType)} is not reproduced locally`);
    }
    const [integrationId] = refsIn(p.Target);
    const integration = integrationId ? template.Resources[integrationId] : undefined;
    const ip = integration?.Properties ?? {};
    if (integration?.Type !== 'AWS::ApiGatewayV2::Integration' || ip.IntegrationType !== 'AWS_PROXY' || ip.PayloadFormatVersion !== '2.0') {
      throw new Error(`${logicalId}: only Lambda proxy integrations with payload 2.0 are reproduced locally`);
    }
    return { routeKey: String(p.RouteKey), function: refTarget(ip.IntegrationUri, `${integrationId}.IntegrationUri`) };
  });

  return {
    outDir,
    template,
    functions,
    eventSources,
    routes,
    logicalIdOf(constructPath) {
      const wanted = `${STACK_NAME}/${constructPath}/Resource`;
      const found = resources.filter(([, resource]) => resource.Metadata?.['aws:cdk:path'] === wanted);
      if (found.length !== 1) throw new Error(`expected one resource at ${wanted}, found ${found.length}`);
      return (found[0] as [string, CfnResource])[0];
    },
  };
}

/** What a Ref or an Fn::GetAtt of a resource is locally; throws for resources without a local counterpart. */
export type ResourceResolver = (logicalId: string, attribute: 'Ref' | string, where: string) => string;

const PSEUDO: Record<string, string> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': STACK_NAME,
};

/** A template value as CloudFormation would hand it to Lambda: a string, intrinsics resolved. */
export function resolveValue(value: unknown, where: string, resolve: ResourceResolver): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!isRecord(value) || Object.keys(value).length !== 1) throw new Error(`${where}: cannot resolve ${JSON.stringify(value)}`);
  const [[fn, arg]] = Object.entries(value) as [[string, unknown]];
  switch (fn) {
    case 'Ref': {
      const name = String(arg);
      return PSEUDO[name] ?? resolve(name, 'Ref', where);
    }
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return resolve(String(id), String(attribute), where);
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part, i) => resolveValue(part, `${where}[${i}]`, resolve)).join(separator);
    }
    case 'Fn::Sub': {
      const [text, variables = {}] = (Array.isArray(arg) ? arg : [arg]) as [string, Record<string, unknown>?];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in variables) return resolveValue(variables[name], `${where}.${name}`, resolve);
        if (PSEUDO[name]) return PSEUDO[name] as string;
        const [id, attribute] = name.split('.');
        return resolve(String(id), attribute ?? 'Ref', where);
      });
    }
    default:
      throw new Error(`${where}: intrinsic ${fn} is not resolved locally`);
  }
}
