/**
 * A portal token's signature has one spelling: its exact base64url text. Padding, the `+/` alphabet,
 * another last character that decodes to the same bytes, or a stray character are other tokens (401).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPortalToken } from '#shared/core/management/portal-tokens.ts';
import { type ApiTestContext, errorShape, startApiTest } from '../api/setup.ts';

let t: ApiTestContext;

beforeAll(async () => {
  t = await startApiTest();
});
afterAll(() => t?.stop());

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A valid token for acme whose signature holds both a `-` and a `_` (so each has a `+/` spelling). */
function tokenWithBothSpecials(key: string): { body: string; signature: string } {
  const base = Date.now() + 3_600_000;
  for (let i = 0; ; i += 1) {
    const token = signPortalToken(key, 'acme', base + i * 1_000);
    const [body = '', signature = ''] = token.slice('hpp_'.length).split('.');
    if (signature.includes('-') && signature.includes('_')) return { body, signature };
  }
}

describe('portal token signatures', () => {
  it('accepts the canonical spelling and refuses every other one with 401', async () => {
    const { body, signature } = tokenWithBothSpecials(t.stack.portalSigningKey);
    // 32 bytes are 43 characters: the last carries 4 bits, so 3 other characters decode to the same bytes.
    expect(signature).toHaveLength(43);
    const last = ALPHABET.indexOf(signature.at(-1) ?? '');
    const sameBytes = [1, 2, 3].map((low) => ALPHABET[(last & ~3) | ((last + low) & 3)]);
    expect(Buffer.from(`${signature.slice(0, -1)}${sameBytes[0]}`, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));

    const canonical = await t.as(`hpp_${body}.${signature}`)('GET', '/v1/tenants/acme/subscriptions');
    expect(canonical.status).toBe(200);

    const variants = {
      padding: `${signature}=`,
      plus: signature.replaceAll('-', '+'),
      slash: signature.replaceAll('_', '/'),
      'plus and slash': signature.replaceAll('-', '+').replaceAll('_', '/'),
      'a trailing A': `${signature}A`,
      'a trailing !': `${signature}!`,
      'a stray ! inside': `${signature.slice(0, 20)}!${signature.slice(20)}`,
      ...Object.fromEntries(sameBytes.map((c) => [`last character ${c}`, `${signature.slice(0, -1)}${c}`])),
    };
    for (const [name, variant] of Object.entries(variants)) {
      expect(variant, name).not.toBe(signature);
      const refused = await t.as(`hpp_${body}.${variant}`)('GET', '/v1/tenants/acme/subscriptions');
      expect(refused.status, name).toBe(401);
      expect(refused.body, name).toMatchObject(errorShape);
    }
  });
});
