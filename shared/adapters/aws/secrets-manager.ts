/** The admin key's source on AWS: a Secrets Manager secret (read by the authenticator, cached there). */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretSource } from '../../core/ports.ts';

export const secretsManagerSource =
  (client: Pick<SecretsManagerClient, 'send'>, secretArn: string): SecretSource =>
  async () => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!SecretString) throw new Error('admin key secret is empty');
    return SecretString;
  };
