/** The API through the typed client (client/index.js over openapi.json), plus the session. */
import { signal } from '@preact/signals';
import { createHookpostClient, type HookpostClient, type Schema } from '../../client/index.js';

export type Subscription = Schema<'Subscription'>;
export type Attempt = Schema<'Attempt'>;
export type EventType = Schema<'EventType'>;
export type ApiKey = Schema<'ApiKey'>;
export type Stats = Schema<'Stats'>;
export type Tenant = Schema<'Tenant'>;

export interface Session {
  /** console: signed in with an API key; portal: opened from a portal link */
  mode: 'console' | 'portal';
  scope: 'admin' | 'publish' | 'tenant';
  /** Fixed for tenant keys and portal tokens. */
  tenant?: string;
  client: HookpostClient;
}

export const session = signal<Session | undefined>(undefined);
/** Why the session ended (wrong key, expired link), shown on the sign-in or error screen. */
export const sessionEnded = signal<'expired' | undefined>(undefined);

const KEY_STORAGE = 'hookpost.apiKey';
/** The portal token, kept for the tab's life like the API key (sessionStorage; never a cookie or localStorage). */
const PORTAL_STORAGE = 'hookpost.portalToken';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error shape's details: which field (path) was refused and why. */
    readonly details: Array<{ path?: string; message: string }> = [],
  ) {
    super(message);
  }
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Unwraps a client call: data on success, an ApiFailure otherwise (401 ends the session). */
export async function ok<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (error) {
    throw new ApiFailure(0, 'network', error instanceof Error ? error.message : String(error));
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; details?: Array<{ path?: string; message: string }> } };
  const found = body.error?.details ?? [];
  const details = found.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
  if (response.status === 401) endSession('expired');
  throw new ApiFailure(response.status, body.error?.code ?? 'error', [body.error?.message ?? response.statusText, details].filter(Boolean).join(' — '), found);
}

const baseUrl = () => location.origin;

async function whoAmI(client: HookpostClient) {
  return ok(client.GET('/v1/me'));
}

/** Signs in with an API key; the key is kept in sessionStorage only (this tab, until it closes). */
export async function signIn(apiKey: string): Promise<void> {
  const client = createHookpostClient({ baseUrl: baseUrl(), apiKey });
  const me = await whoAmI(client);
  sessionStorage.setItem(KEY_STORAGE, apiKey);
  sessionEnded.value = undefined;
  session.value = { mode: 'console', scope: me.scope, ...(me.tenant ? { tenant: me.tenant } : {}), client };
}

export async function resumeConsole(): Promise<void> {
  const apiKey = sessionStorage.getItem(KEY_STORAGE);
  if (!apiKey) return;
  try {
    await signIn(apiKey);
  } catch {
    sessionStorage.removeItem(KEY_STORAGE);
  }
}

/**
 * Opens the portal with the token from the link's fragment or, on a reload, the one this tab kept.
 * A token the API accepts is kept in sessionStorage (this tab, until it closes); one it refuses
 * (expired, or signed with a key since rotated) is removed.
 */
export async function openPortal(fromLink: string | undefined): Promise<void> {
  const token = fromLink ?? sessionStorage.getItem(PORTAL_STORAGE) ?? '';
  try {
    if (!token.startsWith('hpp_')) throw new ApiFailure(401, 'unauthorized', 'no portal token');
    const client = createHookpostClient({ baseUrl: baseUrl(), apiKey: token });
    const me = await whoAmI(client);
    if (me.scope !== 'tenant' || !me.tenant) throw new ApiFailure(403, 'forbidden', 'not a portal token');
    sessionStorage.setItem(PORTAL_STORAGE, token);
    session.value = { mode: 'portal', scope: 'tenant', tenant: me.tenant, client };
  } catch (failure) {
    sessionStorage.removeItem(PORTAL_STORAGE);
    throw failure;
  }
}

export function endSession(reason?: 'expired'): void {
  sessionStorage.removeItem(KEY_STORAGE);
  sessionStorage.removeItem(PORTAL_STORAGE);
  sessionEnded.value = reason;
  session.value = undefined;
}

export const isAdmin = () => session.value?.scope === 'admin';

export function api(): HookpostClient {
  const current = session.value;
  if (!current) throw new ApiFailure(401, 'unauthorized', 'not signed in');
  return current.client;
}
