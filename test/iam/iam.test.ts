/**
 * What AWS would allow: every AWS call the other suites' local stacks made (recorded by function, see
 * shared/local/aws-calls.ts) evaluated against the synthesized roles and resource policies. Runs after
 * every other suite (vitest.config.ts: the `iam` project's groupOrder), so it reads all of their calls.
 */
import { ENCRYPTION_CONTEXT } from '#shared/adapters/aws/kms.ts';
import { AWS_CALL_LOG_ENV, type AwsCall, type FunctionName } from '#shared/local/aws-calls.ts';
import { ENV } from '#shared/core/platform/settings.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, exercises, grantsOf, type Verdict } from './evaluate.ts';
import { type CallLog, type IamRequest, iamRequestsOf, readCallLogs, resourceMap } from './requests.ts';
import { type DeployedStack, FUNCTION_IDS, deployedStack, synthesizedTemplate } from './template.ts';

const FUNCTIONS = Object.keys(FUNCTION_IDS) as FunctionName[];

/** Local mode moves dead letters by hand (fauxqs has no move tasks); on AWS the route starts one. */
const REDRIVE_ROUTE = 'POST /v1/dead-letters/redrive';

/**
 * The calls of one log as AWS receives them: the hand-made move's SQS calls stand for the one
 * StartMessageMoveTask that shared/adapters/aws/sqs.ts sends on AWS (same source and destination).
 */
function asOnAws(log: CallLog): AwsCall[] {
  const calls: AwsCall[] = [];
  let moveTask = false;
  for (const call of log.calls) {
    if (call.route === REDRIVE_ROUTE && call.client === 'SQSClient') {
      if (!moveTask) {
        calls.push({
          ...call,
          command: 'StartMessageMoveTaskCommand',
          input: { SourceArn: log.resources[ENV.deadLetterQueueArn], DestinationArn: log.resources[ENV.eventsQueueArn] },
        });
      }
      moveTask = true;
      continue;
    }
    calls.push(call);
  }
  return calls;
}

interface Derived {
  calls: number;
  unscoped: AwsCall[];
  /** Distinct requests (function, action, resource, context), with how many calls made each. */
  requests: Map<string, { request: IamRequest; calls: number }>;
}

function derive(logs: CallLog[], stack: DeployedStack): Derived {
  const derived: Derived = { calls: 0, unscoped: [], requests: new Map() };
  for (const log of logs) {
    const map = resourceMap(log.resources, stack);
    const arnOf = (local: string) => {
      const arn = map.get(local);
      if (!arn) throw new Error(`${log.file}: a call names ${local}, which is none of the stack's resources`);
      return arn;
    };
    for (const call of asOnAws(log)) {
      derived.calls += 1;
      if (!call.function) {
        derived.unscoped.push(call);
        continue;
      }
      for (const request of iamRequestsOf(call, call.function, arnOf, stack)) {
        const key = JSON.stringify(request);
        const seen = derived.requests.get(key);
        if (seen) seen.calls += 1;
        else derived.requests.set(key, { request, calls: 1 });
      }
    }
  }
  return derived;
}

const describeDenial = ({ request, explanation }: Verdict): string =>
  `${request.function}: ${request.command} needs ${request.action} on ${request.resource}` +
  `${request.context['dynamodb:LeadingKeys'] ? ` (dynamodb:LeadingKeys ${JSON.stringify(request.context['dynamodb:LeadingKeys'])})` : ''}` +
  ` — ${explanation}`;

async function denials(derived: Derived, stack: DeployedStack): Promise<Verdict[]> {
  const verdicts = await Promise.all([...derived.requests.values()].map(({ request }) => evaluate(request, stack)));
  return verdicts.filter((v) => !v.allowed);
}

let stack: DeployedStack;
let derived: Derived;

beforeAll(() => {
  stack = deployedStack(synthesizedTemplate());
  const dir = process.env[AWS_CALL_LOG_ENV];
  const logs = dir ? readCallLogs(dir) : [];
  if (logs.length === 0) throw new Error(`no AWS calls recorded in ${dir}: run the whole suite (npm test); this pass reads what the others recorded`);
  derived = derive(logs, stack);
}, 60_000);

describe('IAM: every AWS call the suites made, as the deployed roles would have it', () => {
  it('each function made calls', () => {
    const byFunction = Object.fromEntries(FUNCTIONS.map((fn) => [fn, [...derived.requests.values()].filter((r) => r.request.function === fn).length]));
    for (const fn of FUNCTIONS) expect(byFunction[fn], `${fn} made no AWS call in the suites`).toBeGreaterThan(0);
    // Calls outside every function's scope are the tests' own, reaching the stores directly to set up or look.
    console.log(`IAM: ${derived.unscoped.length} calls made by tests themselves (not by a function), not evaluated`);
  });

  it('AWS allows every one of them', async () => {
    const denied = await denials(derived, stack);
    console.log(`IAM: ${denied.length} denied of ${derived.calls} AWS calls recorded (${derived.requests.size} distinct requests)`);
    expect(denied.map(describeDenial)).toEqual([]);
  }, 120_000);

  it('lists the grants no recorded call exercised (docs/reliability.md says why each stays)', () => {
    const used = [...derived.requests.values()].map((r) => r.request);
    const unused = grantsOf(stack).filter((grant) => !used.some((request) => exercises(grant, request)));
    console.log(
      `IAM: ${unused.length} grants with no recorded call:\n${unused
        .map((g) => `  ${g.function}: ${g.action}${g.leadingKeys ? ` on ${g.leadingKeys}` : ''} (${g.resources.join(', ')})`)
        .join('\n')}`,
    );
    // The matching itself: each function's calls exercise some of its grants, and never Lambda's own log writes.
    for (const fn of FUNCTIONS) {
      const exercised = grantsOf(stack).filter((grant) => grant.function === fn && used.some((request) => exercises(grant, request)));
      expect(exercised.length, `${fn}: no grant matched its calls`).toBeGreaterThan(0);
      expect(exercised.filter((grant) => grant.action.startsWith('logs:'))).toEqual([]);
    }
  });
});

describe('IAM: the pass fails when a grant is missing', () => {
  /** The template with `action` taken out of the statements of `fn`'s role that grant it. */
  function without(fn: FunctionName, action: string): DeployedStack {
    const changed = structuredClone(stack.template);
    let removed = 0;
    for (const resource of Object.values(changed.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const roles = JSON.stringify(resource.Properties?.Roles);
      if (!roles.includes(`"${FUNCTION_IDS[fn]}Role`)) continue;
      const document = resource.Properties?.PolicyDocument as { Statement: Array<{ Action: string | string[] }> };
      for (const statement of document.Statement) {
        const actions = [statement.Action].flat();
        if (!actions.includes(action)) continue;
        statement.Action = actions.filter((a) => a !== action);
        removed += 1;
      }
      document.Statement = document.Statement.filter((s) => [s.Action].flat().length > 0);
    }
    expect(removed, `${fn} has no ${action} grant to remove`).toBeGreaterThan(0);
    return deployedStack(changed);
  }

  it.each<[FunctionName, string]>([
    ['ingest', 'sqs:SendMessage'],
    ['consumer', 'dynamodb:PutItem'],
    ['management', 'dynamodb:DeleteItem'],
  ])('%s without %s: denied, named with the command and resource', async (fn, action) => {
    const before = new Set((await denials(derived, stack)).map(describeDenial));
    const denied = (await denials(derived, without(fn, action))).filter((v) => !before.has(describeDenial(v)));
    expect(denied.length).toBeGreaterThan(0);
    for (const verdict of denied) {
      expect(verdict.request.function).toBe(fn);
      expect(verdict.request.action).toBe(action);
    }
    expect(describeDenial(denied[0] as Verdict)).toMatch(new RegExp(`^${fn}: \\w+Command needs ${action} on arn:aws:`));
  }, 120_000);
});

describe('IAM: the KMS encryption context, which the simulator leaves to the harness', () => {
  const signingKey = () => stack.roles.consumer.environment[ENV.secretsKeyArn] as string;
  const decrypt = (purpose: string | undefined): IamRequest => ({
    function: 'consumer',
    command: 'DecryptCommand',
    action: 'kms:Decrypt',
    resource: signingKey(),
    context: {
      'aws:SecureTransport': 'true',
      ...(purpose !== undefined && { 'kms:EncryptionContext:purpose': purpose }),
      'kms:EncryptionContextKeys': purpose !== undefined ? ['purpose'] : [],
    },
  });

  it("allows the consumer's Decrypt under Hookpost's context only", async () => {
    expect((await evaluate(decrypt(ENCRYPTION_CONTEXT.purpose), stack)).allowed).toBe(true);
    expect((await evaluate(decrypt('something-else'), stack)).allowed).toBe(false);
    expect((await evaluate(decrypt(undefined), stack)).allowed).toBe(false);
  });

  it('was exercised: the suites made KMS calls under that context, by management and by the consumer', () => {
    const kms = [...derived.requests.values()].map((r) => r.request).filter((r) => r.resource === signingKey());
    const made = new Set(kms.map((r) => `${r.function} ${r.action}`));
    for (const call of ['management kms:GenerateDataKey', 'consumer kms:Decrypt', 'fifoConsumer kms:Decrypt']) expect(made).toContain(call);
  });
});
