import type { Client } from 'openapi-fetch';
import type { components, paths } from './schema.d.ts';

export type { components, paths };
/** A schema from the OpenAPI document by name, e.g. `Schema<'Subscription'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
export type HookpostClient = Client<paths>;

export interface HookpostClientOptions {
  /** e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com` or `http://127.0.0.1:3000` */
  baseUrl: string;
  /** An API key (`hp_…`) or a portal token (`hpp_…`), sent as `Authorization: Bearer …`. */
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
}

export function createHookpostClient(options: HookpostClientOptions): HookpostClient;
