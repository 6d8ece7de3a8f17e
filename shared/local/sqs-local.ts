/**
 * SQS emulated in process by fauxqs, on a loopback port.
 *
 * `startFauxqs()` always listens on 0.0.0.0, so we build its app and listen on 127.0.0.1 ourselves.
 */
import { buildApp } from 'fauxqs';

export interface SqsLocal {
  /** e.g. `http://127.0.0.1:41873` */
  readonly endpoint: string;
  /** Closes the server and cancels waiting long polls. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startSqsLocal(options: { port?: number } = {}): Promise<SqsLocal> {
  const app = buildApp({ logger: false });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('fauxqs did not report a TCP address');
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => (stopping ??= app.close().then(() => undefined)),
  };
}
