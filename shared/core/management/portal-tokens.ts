/**
 * Portal tokens: short-lived, signed credentials for one tenant's portal (tenant scope, never publish).
 * `hpp_<base64url payload>.<base64url HMAC-SHA256>`; verified with the signing key alone (no database
 * read). Rotating the key (HOOKPOST_PORTAL_SIGNING_KEY locally, a Secrets Manager secret on AWS)
 * revokes every outstanding token at once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../platform/domain.ts';
import { HookpostError } from '../platform/errors.ts';
import { isReservedTenant } from '../platform/tenants.ts';
import type { Clock, SecretSource } from '../platform/ports.ts';
import { TtlCache } from '../platform/ttl-cache.ts';

export const PORTAL_TOKEN_PREFIX = 'hpp_';
export const PORTAL_KEY_ID = 'portal';
export const PORTAL_MIN_SECONDS = 60;
export const PORTAL_MAX_SECONDS = 86_400;
export const PORTAL_DEFAULT_SECONDS = 3_600;

interface Payload {
  /** tenant */
  t: string;
  /** scope */
  s: 'tenant';
  /** expiry, epoch seconds */
  exp: number;
}

const mac = (key: Buffer, body: string): Buffer => createHmac('sha256', key).update(body).digest();

function keyBytes(base64Key: string): Buffer {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length < 32) throw new Error('the portal signing key must be at least 32 bytes (base64)');
  return key;
}

export function signPortalToken(base64Key: string, tenant: string, expiresAtMs: number): string {
  const payload: Payload = { t: tenant, s: 'tenant', exp: Math.floor(expiresAtMs / 1000) };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${PORTAL_TOKEN_PREFIX}${body}.${mac(keyBytes(base64Key), body).toString('base64url')}`;
}

/** The tenant principal a valid, unexpired token stands for; undefined for anything else. */
export function verifyPortalToken(base64Key: string | undefined, token: string, nowMs: number): Principal | undefined {
  if (!base64Key || !token.startsWith(PORTAL_TOKEN_PREFIX)) return undefined;
  const [body, signature, extra] = token.slice(PORTAL_TOKEN_PREFIX.length).split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  // The signature's one spelling: the exact base64url text (no padding, `-_`, canonical last character).
  // Decoding it instead would also take `+/`, `=`, stray characters and other last characters.
  const expected = Buffer.from(mac(keyBytes(base64Key), body).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let payload: Partial<Payload>;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
  } catch {
    return undefined;
  }
  if (payload.s !== 'tenant' || typeof payload.t !== 'string' || typeof payload.exp !== 'number') return undefined;
  if (payload.exp * 1000 <= nowMs) return undefined;
  return { keyId: PORTAL_KEY_ID, scope: 'tenant', tenant: payload.t };
}

/** How long a signing key read from its secret is reused (a rotation takes effect within this). */
const KEY_CACHE_MS = 5 * 60 * 1000;

/** The signing key: the setting itself (local mode) or its secret (AWS), cached; undefined when not configured. */
export function portalKey(deps: { clock: Clock; key?: string; source?: SecretSource }): () => Promise<string | undefined> {
  const cache = new TtlCache<string>(KEY_CACHE_MS, deps.clock);
  const { key, source } = deps;
  return async () => {
    if (key) return key;
    if (!source) return undefined;
    return cache.get('portal', async () => (await source()).trim());
  };
}

export interface PortalSession {
  url: string;
  token: string;
  expiresAt: string;
}

export interface PortalService {
  /** A link to `tenant`'s portal under `publicBase`, valid `expiresInSeconds`. */
  createSession(tenant: string, expiresInSeconds: number, publicBase: string): Promise<PortalSession>;
}

export function createPortalService(deps: { clock: Clock; key: () => Promise<string | undefined> }): PortalService {
  return {
    async createSession(tenant, expiresInSeconds, base) {
      // A portal token is a tenant credential, and no tenant credential reaches a reserved tenant: the link would only show 403s.
      if (isReservedTenant(tenant)) {
        throw new HookpostError('validation_failed', 'portal session is invalid', [
          { path: 'tenant', message: 'tenant ids starting with "_" are reserved; only admin keys manage them' },
        ]);
      }
      const key = await deps.key();
      if (!key) throw new HookpostError('dependency_unavailable', 'portal links are not configured (HOOKPOST_PORTAL_SIGNING_KEY)');
      const expiresAtMs = deps.clock.now() + expiresInSeconds * 1000;
      const token = signPortalToken(key, tenant, expiresAtMs);
      // The token travels in the fragment, which browsers never send: it stays out of server and proxy logs.
      return { url: `${base}/console/portal#token=${token}`, token, expiresAt: new Date(Math.floor(expiresAtMs / 1000) * 1000).toISOString() };
    },
  };
}
