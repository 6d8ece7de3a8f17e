// Hookpost's typed API client: openapi-fetch over the types generated from openapi.json (schema.d.ts).
// Plain JavaScript with a .d.ts beside it, so it runs from node_modules on any Node ≥ 20 and in browsers.
import createClient from 'openapi-fetch';

/**
 * @param {{ baseUrl: string; apiKey?: string; fetch?: typeof fetch; headers?: Record<string, string> }} options
 */
export function createHookpostClient(options) {
  const { baseUrl, apiKey, headers, fetch } = options;
  return createClient({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers },
    ...(fetch ? { fetch } : {}),
  });
}
