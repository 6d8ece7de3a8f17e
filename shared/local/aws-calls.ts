/**
 * Which Lambda function would make each AWS call, and a log of the calls: local mode runs every
 * function's code in one process, so each entry (an API request, a consumer batch) runs inside the
 * scope of the function that serves it on AWS, and an SDK middleware on the runtime's clients writes
 * every command it sends, tagged with that function, as one JSON line under `HOOKPOST_AWS_CALL_LOG`.
 * test/iam evaluates those calls against the synthesized roles (what AWS would allow or deny).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The functions of the stack that call AWS (the console function only serves files). */
export type FunctionName = 'ingest' | 'management' | 'consumer' | 'fifoConsumer';

export interface FunctionScope {
  function: FunctionName;
  /** The API route (`POST /v1/dead-letters/redrive`) when the call serves one. */
  route?: string;
}

export interface AwsCall extends Partial<FunctionScope> {
  /** The SDK's client name, e.g. `SQSClient`, `DynamoDBClient`. */
  client: string;
  /** e.g. `SendMessageBatchCommand`, `PutItemCommand` (lib-dynamodb's commands as the DynamoDB command they send). */
  command: string;
  /** The command's input as sent (DynamoDB attribute values marshalled). */
  input: unknown;
}

/** The variable naming the directory where each local stack writes its AWS calls (a file per stack, a JSON object per line). */
export const AWS_CALL_LOG_ENV = 'HOOKPOST_AWS_CALL_LOG';

const scopes = new AsyncLocalStorage<FunctionScope>();

/** Runs `work` as the function that serves it on AWS: every AWS call it makes, now or later, is tagged so. */
export const runAs = <T>(scope: FunctionScope, work: () => T): T => scopes.run(scope, work);

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: { step: 'build'; name: string }): void };
}

type Middleware = (
  next: (args: { input: unknown }) => Promise<unknown>,
  context: { clientName?: string; commandName?: string },
) => (args: { input: unknown }) => Promise<unknown>;

const hasMiddlewareStack = (client: unknown): client is MiddlewareClient =>
  typeof (client as { middlewareStack?: { add?: unknown } } | undefined)?.middlewareStack?.add === 'function';

/**
 * An `instrument` for createRuntime that hands every command each client sends to `record`. Added at
 * the build step, after lib-dynamodb has marshalled its input into the DynamoDB command it sends.
 */
export function recordingCalls(record: (call: AwsCall) => void): <T>(client: T) => T {
  return (client) => {
    if (!hasMiddlewareStack(client)) return client;
    const recorder: Middleware = (next, context) => (args) => {
      record({ ...scopes.getStore(), client: context.clientName ?? 'unknown', command: context.commandName ?? 'unknown', input: args.input });
      return next(args);
    };
    client.middlewareStack.add(recorder, { step: 'build', name: 'hookpostRecordAwsCall' });
    return client;
  };
}

/** Binary inputs (KMS blobs) are logged by length; long strings (message bodies) by length too: IAM never reads them. */
const jsonReplacer = (_key: string, value: unknown) => {
  if (value instanceof Uint8Array) return { bytes: value.length };
  if (typeof value === 'string' && value.length > 256) return { chars: value.length };
  return typeof value === 'bigint' ? String(value) : value;
};

/**
 * With `HOOKPOST_AWS_CALL_LOG` naming a directory: a new file there for this stack, whose first line is
 * the stack's resources (the settings' variables that name the table, queues and topic, so a call's
 * queue URL or table name can be matched to the template's), then one line per call, appended
 * synchronously so that no call is lost when a process ends. Otherwise nothing.
 */
export function callRecorderFromEnv(resources: Record<string, string>, env: NodeJS.ProcessEnv = process.env): (<T>(client: T) => T) | undefined {
  const dir = env[AWS_CALL_LOG_ENV];
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}-${randomUUID()}.jsonl`);
  writeFileSync(file, `${JSON.stringify({ resources })}\n`);
  // The same call again (a poller's receive every second) adds nothing to what IAM is asked.
  const written = new Set<string>();
  return recordingCalls((call) => {
    const line = JSON.stringify(call, jsonReplacer);
    if (written.has(line)) return;
    written.add(line);
    try {
      appendFileSync(file, `${line}\n`);
    } catch {
      // The directory was removed under a running stack: record into a new file rather than fail the call.
      mkdirSync(dir, { recursive: true });
      appendFileSync(file, `${JSON.stringify({ resources })}\n${line}\n`);
    }
  });
}

/**
 * One `T` per function, built on first use in that function's scope: a cache each Lambda function holds
 * for itself (the signing secrets' data keys) stays apart locally too, so each function's own calls
 * (KMS Decrypt by the consumer, not only GenerateDataKey by management) are made and recorded.
 */
export function perFunction<T>(build: () => T): () => T {
  const built = new Map<FunctionName | undefined, T>();
  return () => {
    const name = scopes.getStore()?.function;
    let value = built.get(name);
    if (value === undefined) {
      value = build();
      built.set(name, value);
    }
    return value;
  };
}
