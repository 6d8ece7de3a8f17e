/**
 * Each request evaluated as AWS would: the function's role policies and the resource's own policy (queue,
 * topic, key) in @cloud-copilot/iam-simulate (AGPL: a dev dependency, used by tests only). The simulator
 * ignores `kms:EncryptionContext:<key>` condition keys, so those are evaluated here first: a statement
 * whose encryption-context condition fails is dropped, one whose condition holds keeps the rest of it.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { IamRequest } from './requests.ts';
import { ACCOUNT, type DeployedStack, type PolicyDocument, type PolicyStatement } from './template.ts';

export interface Verdict {
  request: IamRequest;
  allowed: boolean;
  /** Allowed: the statements that allowed it; denied: why, naming the policies looked at. */
  explanation: string;
}

const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:/i;

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/** StringEquals / StringLike (and their IfExists forms) on one encryption-context key, as KMS evaluates them. */
function encryptionContextHolds(operator: string, key: string, expected: unknown, context: IamRequest['context']): boolean {
  const actual = context[Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key];
  const base = operator.replace(/IfExists$/, '');
  if (actual === undefined) return operator.endsWith('IfExists');
  const values = [expected].flat().map(String);
  const value = String(actual);
  if (base === 'StringEquals') return values.includes(value);
  if (base === 'StringLike') return values.some((v) => glob(v).test(value));
  if (base === 'StringNotEquals') return !values.includes(value);
  if (base === 'StringNotLike') return !values.some((v) => glob(v).test(value));
  throw new Error(`the harness does not evaluate ${operator} on ${key}`);
}

/** The document with every encryption-context condition evaluated against the request. */
function withEncryptionContext(document: PolicyDocument, context: IamRequest['context']): PolicyDocument {
  const statements: PolicyStatement[] = [];
  for (const statement of document.Statement) {
    if (!statement.Condition) {
      statements.push(statement);
      continue;
    }
    let holds = true;
    const rest: Record<string, Record<string, unknown>> = {};
    for (const [operator, keys] of Object.entries(statement.Condition)) {
      for (const [key, expected] of Object.entries(keys)) {
        if (ENCRYPTION_CONTEXT.test(key)) holds &&= encryptionContextHolds(operator, key, expected, context);
        else rest[operator] = { ...rest[operator], [key]: expected };
      }
    }
    if (!holds) continue;
    const { Condition: _, ...plain } = statement;
    statements.push(Object.keys(rest).length > 0 ? { ...plain, Condition: rest } : plain);
  }
  return { ...document, Statement: statements };
}

/** Context keys the simulator should not see (it validates them per action; these are evaluated above). */
const simulatorContext = (context: IamRequest['context']) =>
  Object.fromEntries(Object.entries(context).filter(([key]) => !ENCRYPTION_CONTEXT.test(key)));

export async function evaluate(request: IamRequest, stack: DeployedStack): Promise<Verdict> {
  const role = stack.roles[request.function];
  const resourcePolicy = stack.resourcePolicies.get(request.resource);
  const result = await runSimulation(
    {
      request: {
        principal: role.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: simulatorContext(request.context),
      },
      identityPolicies: role.policies.map((p) => ({ name: p.name, policy: withEncryptionContext(p.document, request.context) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy && { resourcePolicy: withEncryptionContext(resourcePolicy.document, request.context) }),
    },
    {},
  );
  if (result.resultType === 'error') {
    return { request, allowed: false, explanation: `the simulator refused the request: ${JSON.stringify(result.errors)}` };
  }
  const allowed = result.overallResult === 'Allowed';
  const where = [`${role.policies.map((p) => p.name).join(', ')} (role)`, ...(resourcePolicy ? [`${resourcePolicy.name} (resource policy)`] : [])].join(' and ');
  return {
    request,
    allowed,
    explanation: allowed ? `allowed by ${where}` : `${result.overallResult} by ${where}`,
  };
}

/** A grant: one action of one role statement, on one LeadingKeys pattern where the statement names some. */
export interface Grant {
  function: IamRequest['function'];
  policy: string;
  action: string;
  resources: string[];
  leadingKeys?: string;
}

export function grantsOf(stack: DeployedStack): Grant[] {
  const grants: Grant[] = [];
  for (const [fn, role] of Object.entries(stack.roles) as [IamRequest['function'], DeployedStack['roles'][IamRequest['function']]][]) {
    for (const policy of role.policies) {
      for (const statement of policy.document.Statement) {
        if (statement.Effect !== 'Allow') continue;
        const patterns = Object.values(statement.Condition ?? {}).flatMap((keys) => [keys['dynamodb:LeadingKeys'] ?? []].flat().map(String));
        for (const action of [statement.Action ?? []].flat()) {
          const resources = [statement.Resource ?? []].flat();
          if (patterns.length === 0) grants.push({ function: fn, policy: policy.name, action, resources });
          for (const leadingKeys of patterns) grants.push({ function: fn, policy: policy.name, action, resources, leadingKeys });
        }
      }
    }
  }
  return grants;
}

/** Whether an allowed request used this grant: same function, action and resource, and its partition within the pattern. */
export function exercises(grant: Grant, request: IamRequest): boolean {
  if (grant.function !== request.function) return false;
  if (!glob(grant.action.toLowerCase()).test(request.action.toLowerCase())) return false;
  if (!grant.resources.some((r) => glob(r).test(request.resource))) return false;
  if (grant.leadingKeys === undefined) return true;
  const keys = [request.context['dynamodb:LeadingKeys'] ?? []].flat();
  return keys.length > 0 && keys.every((k) => glob(grant.leadingKeys as string).test(k));
}
