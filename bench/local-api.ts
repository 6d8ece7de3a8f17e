/** The benches' one call into a local stack's HTTP API, as the admin; throws on any answer but 2xx (207 included). */
import type { LocalStack } from '#shared/local/stack.ts';

export async function stackApi(stack: Pick<LocalStack, 'url' | 'adminKey'>, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json: unknown = await response.json().catch(() => undefined);
  if (response.status >= 300) {
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json).slice(0, 300)}`);
  }
  return json;
}
