/** A secret's source on AWS (the admin key, the portal signing key): Secrets Manager, cached by the caller. */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretSource } from '../../core/platform/ports.ts';

export const secretsManagerSource =
  (client: Pick<SecretsManagerClient, 'send'>, secretArn: string): SecretSource =>
  async () => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!SecretString) throw new Error(`secret ${secretArn} is empty`);
    return SecretString;
  };
