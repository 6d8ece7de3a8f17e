/**
 * Local mode's KMS and Secrets Manager (shared/local/aws-stand-ins.ts) under the real adapters, and the
 * call recorder that tags each call with its function (shared/local/aws-calls.ts).
 */
import { DecryptCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { ENCRYPTION_CONTEXT, kmsKeyWrapper } from '#shared/adapters/aws/kms.ts';
import { secretsManagerSource } from '#shared/adapters/aws/secrets-manager.ts';
import { createSecretCipher } from '#shared/core/platform/secret-cipher.ts';
import { type AwsCall, perFunction, recordingCalls, runAs } from '#shared/local/aws-calls.ts';
import { localKeyArn, localKmsClient, localSecretArn, localSecretsManagerClient } from '#shared/local/aws-stand-ins.ts';

const KEY = localKeyArn('test');

describe('local KMS', () => {
  it('hands out data keys that Decrypt opens only under the same key and encryption context', async () => {
    const kms = localKmsClient(KEY);
    const wrapper = kmsKeyWrapper(kms, KEY);
    const { plaintext, wrapped } = await wrapper.generateDataKey();

    expect(plaintext).toHaveLength(32);
    expect(await wrapper.unwrap(wrapped)).toEqual(plaintext);
    await expect(kms.send(new DecryptCommand({ KeyId: KEY, CiphertextBlob: wrapped, EncryptionContext: { purpose: 'other' } }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    await expect(kms.send(new DecryptCommand({ KeyId: KEY, CiphertextBlob: wrapped }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    await expect(kmsKeyWrapper(kms, localKeyArn('another')).unwrap(wrapped)).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('opens with another instance of the same key only what that key sealed', async () => {
    const kms = localKmsClient(KEY);
    const { wrapped } = await kmsKeyWrapper(kms, KEY).generateDataKey();
    await expect(kmsKeyWrapper(localKmsClient(KEY), KEY).unwrap(wrapped)).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });
});

describe('local Secrets Manager', () => {
  it('returns a secret by ARN and refuses an unknown one as AWS does', async () => {
    const arn = localSecretArn('admin');
    const client = localSecretsManagerClient({ [arn]: 'hp_secret' });

    expect(await secretsManagerSource(client, arn)()).toBe('hp_secret');
    await expect(secretsManagerSource(client, localSecretArn('nope'))()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('the call recorder', () => {
  it('records each command as sent, with the function whose scope sent it, and none outside a scope', async () => {
    const calls: AwsCall[] = [];
    const record = recordingCalls((call) => calls.push(call));
    const kms = record(localKmsClient(KEY));
    const arn = localSecretArn('admin');
    const secrets = record(localSecretsManagerClient({ [arn]: 'x' }));

    const { wrapped } = await runAs({ function: 'management', route: 'POST /v1/tenants/{tenant}/subscriptions' }, () =>
      kmsKeyWrapper(kms, KEY).generateDataKey(),
    );
    await runAs({ function: 'consumer' }, () => kmsKeyWrapper(kms, KEY).unwrap(wrapped));
    await secretsManagerSource(secrets, arn)();

    expect(calls.map(({ function: fn, route, client, command }) => ({ fn, route, client, command }))).toEqual([
      { fn: 'management', route: 'POST /v1/tenants/{tenant}/subscriptions', client: 'KMSClient', command: 'GenerateDataKeyCommand' },
      { fn: 'consumer', route: undefined, client: 'KMSClient', command: 'DecryptCommand' },
      { fn: undefined, route: undefined, client: 'SecretsManagerClient', command: 'GetSecretValueCommand' },
    ]);
    expect(calls[0]?.input).toMatchObject({ KeyId: KEY, KeySpec: 'AES_256', EncryptionContext: ENCRYPTION_CONTEXT });
    expect(calls[1]?.input).toMatchObject({ KeyId: KEY, EncryptionContext: ENCRYPTION_CONTEXT });
  });

  it('keeps one cipher per function, so the consumer unwraps with its own Decrypt what management sealed', async () => {
    const calls: AwsCall[] = [];
    const kms = recordingCalls((call) => calls.push(call))(localKmsClient(KEY));
    const cipherOfScope = perFunction(() => createSecretCipher(kmsKeyWrapper(kms, KEY)));

    const sealed = await runAs({ function: 'management' }, () => cipherOfScope().seal('whsec_abc', 'acme/sub_1'));
    const opened = await runAs({ function: 'consumer' }, () => cipherOfScope().open(sealed, 'acme/sub_1'));
    await runAs({ function: 'consumer' }, () => cipherOfScope().open(sealed, 'acme/sub_1'));

    expect(opened).toBe('whsec_abc');
    expect(calls.map((c) => `${c.function} ${c.command}`)).toEqual(['management GenerateDataKeyCommand', 'consumer DecryptCommand']);
  });
});
