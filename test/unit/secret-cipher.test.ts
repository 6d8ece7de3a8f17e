import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newSigningSecret } from '#shared/core/platform/ids.ts';
import { createSecretCipher, localKeyWrapper } from '#shared/core/platform/secret-cipher.ts';
import { ENCRYPTION_CONTEXT, kmsKeyWrapper } from '#shared/adapters/aws/kms.ts';

/** KMS has no local counterpart: a fake client that records the real adapter's commands. */
function fakeKms() {
  const master = randomBytes(32);
  const local = localKeyWrapper(master);
  const commands: unknown[] = [];
  const client = {
    async send(command: GenerateDataKeyCommand | DecryptCommand) {
      commands.push(command);
      if (command instanceof GenerateDataKeyCommand) {
        const { plaintext, wrapped } = await local.generateDataKey();
        return { Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(wrapped) };
      }
      return { Plaintext: new Uint8Array(await local.unwrap(Buffer.from(command.input.CiphertextBlob as Uint8Array))) };
    },
  };
  return { client: client as never, commands };
}

const CONTEXT = 'acme/sub_01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('signing secrets at rest', () => {
  it('seals so the secret is not readable, and opens back to the same secret', async () => {
    const cipher = createSecretCipher(localKeyWrapper(randomBytes(32)));
    const secret = newSigningSecret();
    const sealed = await cipher.seal(secret, CONTEXT);
    expect(sealed).toMatch(/^enc2:/);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(await cipher.open(sealed, CONTEXT)).toBe(secret);
  });

  it('opens a sealed secret only under the subscription it was sealed for', async () => {
    const cipher = createSecretCipher(localKeyWrapper(randomBytes(32)));
    const sealed = await cipher.seal(newSigningSecret(), 'acme/sub_01ARZ3NDEKTSV4RRFFQ69G5FAV');
    // Copied into another tenant's (or another subscription's) item, it does not open there.
    await expect(cipher.open(sealed, 'globex/sub_01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toThrow();
    await expect(cipher.open(sealed, 'acme/sub_01ARZ3NDEKTSV4RRFFQ69G5FAW')).rejects.toThrow();
  });

  it('refuses a tampered value', async () => {
    const cipher = createSecretCipher(localKeyWrapper(randomBytes(32)));
    const sealed = await cipher.seal(newSigningSecret(), CONTEXT);
    const parts = sealed.split(':');
    const ciphertext = Buffer.from(parts[3]!, 'base64');
    ciphertext[0] = (ciphertext[0]! + 1) % 256;
    parts[3] = ciphertext.toString('base64');
    await expect(cipher.open(parts.join(':'), CONTEXT)).rejects.toThrow();
  });

  it('cannot be opened with another master key', async () => {
    const sealed = await createSecretCipher(localKeyWrapper(randomBytes(32))).seal(newSigningSecret(), CONTEXT);
    await expect(createSecretCipher(localKeyWrapper(randomBytes(32))).open(sealed, CONTEXT)).rejects.toThrow();
  });

  it('asks KMS for one data key per process and unwraps each wrapped key once', async () => {
    const kms = fakeKms();
    const writer = createSecretCipher(kmsKeyWrapper(kms.client, 'arn:aws:kms:us-east-1:111122223333:key/abc'));
    const secrets = [newSigningSecret(), newSigningSecret(), newSigningSecret()];
    const sealed = await Promise.all(secrets.map((s) => writer.seal(s, CONTEXT)));
    // Another container: opening all three costs one Decrypt.
    const reader = createSecretCipher(kmsKeyWrapper(kms.client, 'arn:aws:kms:us-east-1:111122223333:key/abc'));
    expect(await Promise.all(sealed.map((s) => reader.open(s, CONTEXT)))).toEqual(secrets);

    const generate = kms.commands.filter((c) => c instanceof GenerateDataKeyCommand) as GenerateDataKeyCommand[];
    const decrypt = kms.commands.filter((c) => c instanceof DecryptCommand) as DecryptCommand[];
    expect(generate).toHaveLength(1);
    expect(generate[0]!.input).toEqual({
      KeyId: 'arn:aws:kms:us-east-1:111122223333:key/abc',
      KeySpec: 'AES_256',
      EncryptionContext: ENCRYPTION_CONTEXT,
    });
    expect(decrypt).toHaveLength(1);
    expect(decrypt[0]!.input).toMatchObject({ KeyId: 'arn:aws:kms:us-east-1:111122223333:key/abc', EncryptionContext: ENCRYPTION_CONTEXT });
  });
});
