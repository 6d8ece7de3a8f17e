/**
 * SQS limits AWS enforces and fauxqs does not, enforced on the local clients only (clients.ts installs
 * this when an endpoint is given), so local mode refuses what AWS would, with AWS's error name and
 * message. What fauxqs and DynamoDB Local already enforce themselves is left to them;
 * test/local/aws-limits.test.ts measures both sides, docs/reliability.md has the table.
 *
 * - DelaySeconds of SendMessage / SendMessageBatch entries: 0..900 (fauxqs checks only the queue attribute).
 * - MessageGroupId / MessageDeduplicationId: 1..128 alphanumeric or punctuation characters.
 * - ChangeMessageVisibility: a message stays hidden at most 12 hours from its ReceiveMessage, so the
 *   seconds already passed since the receive plus the new timeout may not pass 43200 (fauxqs checks
 *   only the new timeout on its own).
 */
import { SQSServiceException } from '@aws-sdk/client-sqs';

export const SQS_MAX_DELAY_SECONDS = 900;
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;
/** "alphanumeric and punctuation characters", 1 to 128 of them. */
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;
/** Receipt handles older than this can no longer be changed anyway; forgotten when the registry grows. */
const FORGET_AFTER_MS = SQS_MAX_VISIBILITY_SECONDS * 1000;
const PRUNE_ABOVE = 10_000;

const invalid = (parameter: string, value: unknown, reason: string) =>
  new SQSServiceException({
    name: 'InvalidParameterValue',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
  });

interface Entry {
  DelaySeconds?: number;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

function checkSend(entry: Entry): void {
  const delay = entry.DelaySeconds;
  if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > SQS_MAX_DELAY_SECONDS)) {
    throw invalid('DelaySeconds', delay, `DelaySeconds must be >= 0 and <= ${SQS_MAX_DELAY_SECONDS}.`);
  }
  for (const parameter of ['MessageGroupId', 'MessageDeduplicationId'] as const) {
    const id = entry[parameter];
    if (id !== undefined && !FIFO_ID.test(id)) {
      throw invalid(parameter, id, `${parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
    }
  }
}

interface Input {
  Entries?: (Entry & { ReceiptHandle?: string })[];
  ReceiptHandle?: string;
  VisibilityTimeout?: number;
}

export interface SqsLimits {
  /** Installs the checks on a client; clients sharing one SqsLimits share what was received when. */
  install<C extends { middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void } }>(client: C): C;
}

/** `now` is the clock the 12-hour visibility limit is measured with (a test moves it on). */
export function sqsLimits(now: () => number = Date.now): SqsLimits {
  const receivedAt = new Map<string, number>();
  const forgetOld = () => {
    if (receivedAt.size <= PRUNE_ABOVE) return;
    const oldest = now() - FORGET_AFTER_MS;
    for (const [handle, at] of receivedAt) if (at < oldest) receivedAt.delete(handle);
  };
  const checkVisibility = (handle: string | undefined, seconds: number | undefined) => {
    const at = handle === undefined ? undefined : receivedAt.get(handle);
    if (at === undefined || seconds === undefined) return;
    if ((now() - at) / 1000 + seconds > SQS_MAX_VISIBILITY_SECONDS) {
      throw invalid('VisibilityTimeout', seconds, `Total VisibilityTimeout for the message is beyond the limit [${SQS_MAX_VISIBILITY_SECONDS} seconds]`);
    }
  };
  const middleware =
    (next: (args: { input: unknown }) => Promise<{ output: unknown }>, context: { commandName?: string }) =>
    async (args: { input: unknown }) => {
      const input = args.input as Input & Entry;
      switch (context.commandName) {
        case 'SendMessageCommand':
          checkSend(input);
          break;
        case 'SendMessageBatchCommand':
          for (const entry of input.Entries ?? []) checkSend(entry);
          break;
        case 'ChangeMessageVisibilityCommand':
          checkVisibility(input.ReceiptHandle, input.VisibilityTimeout);
          break;
        case 'DeleteMessageCommand':
          if (input.ReceiptHandle) receivedAt.delete(input.ReceiptHandle);
          break;
        case 'DeleteMessageBatchCommand':
          for (const entry of input.Entries ?? []) if (entry.ReceiptHandle) receivedAt.delete(entry.ReceiptHandle);
          break;
      }
      const result = await next(args);
      if (context.commandName === 'ReceiveMessageCommand') {
        const at = now();
        for (const message of (result.output as { Messages?: { ReceiptHandle?: string }[] }).Messages ?? []) {
          if (message.ReceiptHandle) receivedAt.set(message.ReceiptHandle, at);
        }
        forgetOld();
      }
      return result;
    };
  return {
    install(client) {
      client.middlewareStack.add(middleware, { step: 'initialize', name: 'hookpostLocalSqsLimits' });
      return client;
    },
  };
}

/** The one every local SQS client shares: the poller receives on one client, the FIFO consumer holds on another. */
export const localSqsLimits = sqsLimits();

/**
 * Lambda's synchronous response limit: what the function returns, the API Gateway result object as
 * JSON ({statusCode, headers, body}, the body escaped once more), may not pass 6 MB (6 MiB).
 */
export const LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/** The size Lambda counts for an API response (shared/adapters/lambda/api-gateway.ts toApiGateway). */
export const lambdaResponseBytes = (response: { statusCode: number; headers?: Record<string, string>; body: string }): number =>
  Buffer.byteLength(JSON.stringify({ statusCode: response.statusCode, headers: response.headers, body: response.body }));

/** What API Gateway's HTTP API answers when the Lambda integration fails, an oversized response among it. */
export const GATEWAY_INTEGRATION_FAILURE = {
  statusCode: 500,
  headers: { 'content-type': 'application/json' },
  body: '{"message":"Internal Server Error"}',
};
