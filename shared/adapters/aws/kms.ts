/** AWS: data keys from KMS GenerateDataKey, unwrapped with KMS Decrypt (bound to an encryption context). */
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { KeyWrapper } from '../../core/platform/secret-cipher.ts';

export const ENCRYPTION_CONTEXT = { purpose: 'hookpost-signing-secrets' };

export function kmsKeyWrapper(kms: Pick<KMSClient, 'send'>, keyId: string): KeyWrapper {
  return {
    async generateDataKey() {
      const out = await kms.send(
        new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: ENCRYPTION_CONTEXT }),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
      return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
    },
    async unwrap(wrapped) {
      const out = await kms.send(
        new DecryptCommand({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionContext: ENCRYPTION_CONTEXT }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no plaintext');
      return Buffer.from(out.Plaintext);
    },
  };
}
