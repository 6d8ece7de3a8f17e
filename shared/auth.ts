/** API keys: who is calling. On AWS the Lambda authorizer calls this; locally the dev server does. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from './config.ts';
import type { Principal } from './http-api.ts';

const ADMIN_KEY_CACHE_MS = 5 * 60 * 1000;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares two keys in constant time (hashing first makes the lengths equal). */
export function sameKey(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

export type Authenticator = (authorization: string | undefined) => Promise<Principal | undefined>;

/** The admin key comes from config locally, or from Secrets Manager (cached) on AWS. */
export function createAuthenticator(
  runtime: { config: Config },
  loadSecret: (arn: string) => Promise<string> = secretsManagerLoader(),
): Authenticator {
  const { adminKey, adminKeySecretArn } = runtime.config;
  let cached: { key: string; expiresAt: number } | undefined;
  async function currentAdminKey(): Promise<string | undefined> {
    if (adminKey) return adminKey;
    if (!adminKeySecretArn) return undefined;
    if (!cached || cached.expiresAt < Date.now()) {
      cached = { key: (await loadSecret(adminKeySecretArn)).trim(), expiresAt: Date.now() + ADMIN_KEY_CACHE_MS };
    }
    return cached.key;
  }
  return async (authorization) => {
    const token = bearerToken(authorization);
    if (!token) return undefined;
    const expected = await currentAdminKey();
    if (expected && sameKey(token, expected)) return { keyId: 'admin', scope: 'admin' };
    return undefined;
  };
}

function secretsManagerLoader(): (arn: string) => Promise<string> {
  let client: SecretsManagerClient | undefined;
  return async (arn) => {
    client ??= new SecretsManagerClient({});
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error('admin key secret is empty');
    return SecretString;
  };
}
