/**
 * The smoke test's receiver (`npm run smoke`, scripts/smoke.ts): records every POST it gets and gives
 * them back to whoever knows the random token in the path. Deployed only with the stack prop
 * `smokeReceiver: true` (a Lambda function URL, cdk/smoke-receiver.ts); the smoke script runs the same
 * request handling on 127.0.0.1 against a local stack.
 *
 * The read-back contract (a public receiver passed as `--receiver-url` must follow it too):
 * - `POST <base>/<token>/<label>`: recorded under `<token>`; answers 500 when `<label>` is `fail`,
 *   200 otherwise. `<token>` is 32–128 of `A-Z a-z 0-9 _ -`, `<label>` 1–32 of `a-z 0-9 -`.
 * - `GET <base>/<token>`: `200 {"requests":[{"label","receivedAt","headers","body"}…]}` in arrival
 *   order, where `headers` has lower-case names and `body` is the raw text as received (bodies past
 *   64 KiB are cut and marked `"truncated":true`).
 * - Anything else: 404.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';

export interface ReceivedRequest {
  label: string;
  receivedAt: string;
  headers: Record<string, string>;
  body: string;
  truncated?: true;
}

/** Where the receiver keeps what it got, by token. */
export interface ReceiverStore {
  record(token: string, request: ReceivedRequest): Promise<void>;
  /** In arrival order, at most MAX_LISTED. */
  list(token: string): Promise<ReceivedRequest[]>;
}

export interface ReceiverRequest {
  method: string;
  /** The path only (no query string), e.g. `/<token>/ok`. */
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface ReceiverResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;
const LABEL_PATTERN = /^[a-z0-9-]{1,32}$/;
/** The label whose POSTs are answered 500 (a failing endpoint). */
export const FAILING_LABEL = 'fail';
export const MAX_BODY_CHARS = 64 * 1024;
export const MAX_LISTED = 500;
const MAX_HEADERS = 64;
const MAX_HEADER_CHARS = 4096;

/** A token only its holder can read back: 32 random bytes, base64url. */
export const newReceiverToken = (): string => randomBytes(32).toString('base64url');

const json = (statusCode: number, value: unknown): ReceiverResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(value),
});

function keptHeaders(headers: ReceiverRequest['headers']): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers).slice(0, MAX_HEADERS)) {
    if (value !== undefined) kept[name.toLowerCase()] = value.slice(0, MAX_HEADER_CHARS);
  }
  return kept;
}

/** The receiver's whole behaviour, whatever carries the request (a function URL, a local server). */
export async function handleReceiverRequest(request: ReceiverRequest, store: ReceiverStore, now = Date.now()): Promise<ReceiverResponse> {
  const [token, label, ...rest] = request.path.replace(/^\/+/, '').split('/');
  if (!token || !TOKEN_PATTERN.test(token) || rest.length > 0) return json(404, { error: 'not found' });
  if (request.method === 'GET' && label === undefined) return json(200, { requests: await store.list(token) });
  if (request.method !== 'POST' || label === undefined || !LABEL_PATTERN.test(label)) return json(404, { error: 'not found' });
  const truncated = request.body.length > MAX_BODY_CHARS;
  await store.record(token, {
    label,
    receivedAt: new Date(now).toISOString(),
    headers: keptHeaders(request.headers),
    body: truncated ? request.body.slice(0, MAX_BODY_CHARS) : request.body,
    ...(truncated ? { truncated: true as const } : {}),
  });
  return label === FAILING_LABEL ? json(500, { error: 'failing on purpose (smoke test)' }) : json(200, { received: true });
}

/** For a receiver in one process (the smoke script's local one, tests). */
export class MemoryReceiverStore implements ReceiverStore {
  private readonly byToken = new Map<string, ReceivedRequest[]>();

  async record(token: string, request: ReceivedRequest): Promise<void> {
    const list = this.byToken.get(token) ?? [];
    list.push(request);
    this.byToken.set(token, list);
  }

  async list(token: string): Promise<ReceivedRequest[]> {
    return (this.byToken.get(token) ?? []).slice(0, MAX_LISTED);
  }
}

/**
 * One item per request in the receiver's own table: `pk` = `RECV#` + SHA-256 of the token (the table
 * never holds a readable token), `sk` = arrival time + random suffix, deleted by TTL after `ttlSeconds`.
 */
export class DynamoReceiverStore implements ReceiverStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlSeconds: number,
  ) {}

  private static partition(token: string): string {
    return `RECV#${createHash('sha256').update(token).digest('base64url')}`;
  }

  async record(token: string, request: ReceivedRequest): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: DynamoReceiverStore.partition(token),
          sk: `${request.receivedAt}#${randomBytes(6).toString('hex')}`,
          expiresAt: Math.floor(Date.parse(request.receivedAt) / 1000) + this.ttlSeconds,
          request,
        },
      }),
    );
  }

  async list(token: string): Promise<ReceivedRequest[]> {
    const found: ReceivedRequest[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': DynamoReceiverStore.partition(token) },
          ExclusiveStartKey: start,
          Limit: MAX_LISTED - found.length,
        }),
      );
      for (const item of page.Items ?? []) found.push(item.request as ReceivedRequest);
      start = page.LastEvaluatedKey;
    } while (start && found.length < MAX_LISTED);
    return found;
  }
}

/** The function URL's request as the receiver sees it. */
export function fromFunctionUrlEvent(event: LambdaFunctionURLEvent): ReceiverRequest {
  const raw = event.body ?? '';
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers: event.headers ?? {},
    body: event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw,
  };
}

/** Environment of the deployed receiver (cdk/smoke-receiver.ts sets both). */
export const RECEIVER_ENV = { table: 'SMOKE_RECEIVER_TABLE', ttlSeconds: 'SMOKE_RECEIVER_TTL_SECONDS' } as const;

let store: ReceiverStore | undefined;

function storeFromEnvironment(): ReceiverStore {
  const table = process.env[RECEIVER_ENV.table];
  if (!table) throw new Error(`${RECEIVER_ENV.table} is not set`);
  const ttlSeconds = Number(process.env[RECEIVER_ENV.ttlSeconds] ?? 86_400);
  return new DynamoReceiverStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), table, ttlSeconds);
}

export async function handler(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  store ??= storeFromEnvironment();
  return handleReceiverRequest(fromFunctionUrlEvent(event), store);
}
