/**
 * A service that speaks the AWS JSON 1.1 protocol on 127.0.0.1, for the services without a local
 * emulator (KMS, Secrets Manager): POST /, `X-Amz-Target: <prefix>.<Operation>`, JSON in and out,
 * errors as a 400 with `{"__type", "message"}`. It refuses requests that are not SigV4-signed for its
 * service, and records every call so tests can say which function asked for what.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface AwsCall {
  operation: string;
  input: Record<string, unknown>;
  /** The access key id the caller signed with (the harness gives each function its own). */
  accessKeyId: string;
  error?: string;
}

export type Operation = (input: Record<string, unknown>) => Record<string, unknown>;

export interface AwsJsonServer {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_<SERVICE>`. */
  readonly endpoint: string;
  readonly calls: AwsCall[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startAwsJsonServer(options: {
  /** The X-Amz-Target prefix, e.g. `TrentService`. */
  targetPrefix: string;
  /** The SigV4 service name in the credential scope, e.g. `kms`. */
  signingName: string;
  operations: Record<string, Operation>;
  /** The server closes itself after this long. @default 10 minutes */
  lifetimeMs?: number;
}): Promise<AwsJsonServer> {
  const calls: AwsCall[] = [];
  const sockets = new Set<Socket>();

  const reply = (res: http.ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      ...(errorType && { 'x-amzn-errortype': errorType }),
    });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const fail = (error: AwsError) => reply(res, error.status, { __type: error.type, message: error.message }, error.type);
      const credential = /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '');
      if (req.method !== 'POST' || size > MAX_BODY_BYTES) return fail(new AwsError('ValidationException', 'bad request'));
      if (!credential || credential[2] !== options.signingName) {
        return fail(new AwsError('MissingAuthenticationTokenException', `not signed for ${options.signingName}`, 403));
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const operationName = target.startsWith(`${options.targetPrefix}.`) ? target.slice(options.targetPrefix.length + 1) : '';
      const operation = options.operations[operationName];
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return fail(new AwsError('SerializationException', 'body is not JSON'));
      }
      const call: AwsCall = { operation: operationName || target, input, accessKeyId: credential[1] ?? '' };
      calls.push(call);
      if (!operation) {
        call.error = 'UnknownOperationException';
        return fail(new AwsError('UnknownOperationException', `${target} is not served here`));
      }
      try {
        reply(res, 200, operation(input));
      } catch (error) {
        const refused = error instanceof AwsError ? error : new AwsError('InternalFailure', String(error), 500);
        call.error = refused.type;
        fail(refused);
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }));
  const lifetime = setTimeout(() => void close(), options.lifetimeMs ?? 600_000);
  lifetime.unref();
  return { endpoint: `http://127.0.0.1:${port}`, calls, close };
}
