/**
 * A portal link lasts exactly what its answer says: the token the portal service signs is taken by
 * the authenticator (both on one fake clock, as createServices gives both the ports' clock) up to
 * the millisecond before `expiresAt` and refused from `expiresAt` on — for the shortest, default and
 * longest lifetimes. A token signed for longer (or shorter) than `expiresAt` says turns this red.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '#shared/core/management/auth.ts';
import {
  createPortalService,
  PORTAL_DEFAULT_SECONDS,
  PORTAL_MAX_SECONDS,
  PORTAL_MIN_SECONDS,
  portalKey,
} from '#shared/core/management/portal-tokens.ts';

const KEY = randomBytes(32).toString('base64');

function portalOnClock(startMs: number) {
  let now = startMs;
  const clock = { now: () => now };
  const key = portalKey({ clock, key: KEY });
  const portal = createPortalService({ clock, key });
  const auth = createAuthenticator({ clock, apiKeys: { findByHash: async () => undefined } as never, portalKey: key });
  return { portal, auth, at: (ms: number) => { now = ms; } };
}

describe('a portal link’s lifetime', () => {
  it.each([PORTAL_MIN_SECONDS, PORTAL_DEFAULT_SECONDS, PORTAL_MAX_SECONDS])(
    'of %i s: the token works until just before expiresAt and not from expiresAt on',
    async (seconds) => {
      // A start on a whole second, and one 400 ms into a second (expiresAt is whole seconds, rounded down).
      for (const start of [Date.parse('2026-12-01T10:00:00.000Z'), Date.parse('2026-12-01T10:00:00.400Z')]) {
        const { portal, auth, at } = portalOnClock(start);
        const session = await portal.createSession('acme', seconds, 'https://hooks.example.com');
        const expiresAtMs = Date.parse(session.expiresAt);
        expect(start + seconds * 1000 - expiresAtMs).toBeGreaterThanOrEqual(0);
        expect(start + seconds * 1000 - expiresAtMs).toBeLessThan(1000);
        const header = `Bearer ${session.token}`;

        at(start);
        expect(await auth.authenticate(header)).toEqual({ keyId: 'portal', scope: 'tenant', tenant: 'acme' });
        at(expiresAtMs - 1);
        expect(await auth.authenticate(header)).toMatchObject({ scope: 'tenant', tenant: 'acme' });
        at(expiresAtMs);
        expect(await auth.authenticate(header)).toBeUndefined();
        at(expiresAtMs + 86_400_000);
        expect(await auth.authenticate(header)).toBeUndefined();
      }
    },
  );
});
