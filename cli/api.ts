/** The typed API client (hookpost/client) for the current connection, and one way to read its answers. */
import { createHookpostClient, type HookpostClient, type Schema } from 'hookpost/client';
import { type Connection, connection } from './config.ts';
import { Failure, type Io } from './io.ts';

export const apiFor = (io: Io, over?: Connection): HookpostClient => {
  const { url, key } = over ?? connection(io.env);
  return createHookpostClient({ baseUrl: url, apiKey: key });
};

interface ErrorBody {
  error?: { code?: string; message?: string; details?: Array<{ path?: string; message?: string }> };
}

/** The answer's body, or a Failure that says the status and the API's error (code, message, details). */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch (error) {
    throw new Failure(`could not reach the API: ${(error as Error).cause ?? (error as Error).message}`);
  }
  if (result.response.ok) return result.data as T;
  const body = (result.error ?? {}) as ErrorBody;
  const details = (body.error?.details ?? []).map((d) => `\n  ${d.path ? `${d.path}: ` : ''}${d.message ?? ''}`).join('');
  throw new Failure(`${result.response.status} ${body.error?.code ?? result.response.statusText}: ${body.error?.message ?? ''}${details}`);
}

/** Every endpoint of a tenant, following the list's cursor. */
export async function allEndpoints(api: HookpostClient, tenant: string): Promise<Schema<'Subscription'>[]> {
  const all: Schema<'Subscription'>[] = [];
  let cursor: string | undefined;
  do {
    const page = await ok(api.GET('/v1/tenants/{tenant}/subscriptions', { params: { path: { tenant }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}
