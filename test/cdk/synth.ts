/** Shared set-up for the CDK tests: an App configured like `cdk synth`, and template lookups. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';

const root = path.resolve(import.meta.dirname, '..', '..');

/** The feature flags from cdk.json, so tests see what `cdk synth` produces. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(root, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/**
 * An App for tests. The default-stack test bundles for real and runs CDK's built-in CloudFormation
 * validation (findings fail synthesis, as in `cdk synth`), proving the handlers build and the template
 * is valid; `fast: true` skips both (placeholder assets) for stacks that only check properties.
 */
export function testApp(options: { fast: boolean }): App {
  const bundle = !options.fast;
  return new App({
    builtinCloudFormationValidation: bundle,
    context: {
      ...cdkJsonContext(),
      ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
}

/** The one resource of `type` whose properties satisfy `predicate`; fails when there is not exactly one. */
export function onlyResource(
  template: Template,
  type: string,
  predicate: (properties: Record<string, unknown>, logicalId: string) => boolean = () => true,
): { logicalId: string; resource: CfnResource } {
  const matches = Object.entries(template.findResources(type) as Record<string, CfnResource>).filter(([id, r]) =>
    predicate(r.Properties ?? {}, id),
  );
  if (matches.length !== 1) throw new Error(`expected exactly one ${type} matching, found ${matches.length}`);
  const [logicalId, resource] = matches[0] as [string, CfnResource];
  return { logicalId, resource };
}

/** The logical id a `{ Ref: id }` or `{ Fn::GetAtt: [id, attr] }` points at. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of every resource of `type` (IAM policies, topic policies…), by logical id. */
export function statementsByResource(template: Template, type = 'AWS::IAM::Policy'): Map<string, Statement[]> {
  const found = new Map<string, Statement[]>();
  for (const [id, resource] of Object.entries(template.findResources(type) as Record<string, CfnResource>)) {
    const document = (resource.Properties.PolicyDocument ?? resource.Properties.KeyPolicy) as { Statement: Statement[] };
    found.set(id, document.Statement);
  }
  return found;
}

/** Whether a statement's Resource covers everything, written either way: `"*"` or a list holding `"*"`. */
export const coversEveryResource = (resource: unknown): boolean => [resource].flat().includes('*');

export const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
