/** Secrets Manager for the bundled functions: GetSecretValue of secrets generated as the template asks. */
import { randomBytes, randomInt } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './cloud-assembly.ts';
import { AwsError, type AwsJsonServer, startAwsJsonServer } from './aws-json-server.ts';

export interface SecretsManagerLocal extends AwsJsonServer {
  /** Creates a secret named `name` holding `value`; returns its ARN (with the random suffix AWS adds). */
  createSecret(name: string, value: string): string;
  /** The value, as an operator reads it with `aws secretsmanager get-secret-value`. */
  valueOf(arn: string): string;
}

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** A value as CloudFormation's GenerateSecretString makes it (the options the stack uses, and the rest refused). */
export function generateSecretString(options: Record<string, unknown>): string {
  const known = ['PasswordLength', 'ExcludePunctuation', 'IncludeSpace', 'ExcludeCharacters', 'ExcludeUppercase', 'ExcludeLowercase', 'ExcludeNumbers'];
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new Error(`GenerateSecretString: ${unknown.join(', ')} not reproduced locally`);
  let alphabet = '';
  if (!options.ExcludeUppercase) alphabet += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (!options.ExcludeLowercase) alphabet += 'abcdefghijklmnopqrstuvwxyz';
  if (!options.ExcludeNumbers) alphabet += '0123456789';
  if (!options.ExcludePunctuation) alphabet += PUNCTUATION;
  if (options.IncludeSpace) alphabet += ' ';
  const excluded = String(options.ExcludeCharacters ?? '');
  const characters = [...alphabet].filter((c) => !excluded.includes(c));
  const length = Number(options.PasswordLength ?? 32);
  return Array.from({ length }, () => characters[randomInt(characters.length)]).join('');
}

export async function startSecretsManagerLocal(): Promise<SecretsManagerLocal> {
  const secrets = new Map<string, { name: string; value: string; versionId: string; created: number }>();

  const find = (secretId: unknown) => {
    const id = String(secretId ?? '');
    const found = secrets.get(id) ?? [...secrets.values()].find((secret) => secret.name === id);
    if (!found) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return found;
  };
  const arnOf = (name: string) => [...secrets.entries()].find(([, secret]) => secret.name === name)?.[0] ?? '';

  const server = await startAwsJsonServer({
    targetPrefix: 'secretsmanager',
    signingName: 'secretsmanager',
    operations: {
      GetSecretValue(input) {
        const secret = find(input.SecretId);
        if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') {
          throw new AwsError('ResourceNotFoundException', `no version at stage ${String(input.VersionStage)}`);
        }
        return {
          ARN: arnOf(secret.name),
          Name: secret.name,
          VersionId: secret.versionId,
          SecretString: secret.value,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: secret.created,
        };
      },
    },
  });

  return {
    ...server,
    calls: server.calls,
    createSecret(name, value) {
      const suffix = randomBytes(3).toString('hex');
      const arn = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${name}-${suffix}`;
      secrets.set(arn, { name, value, versionId: crypto.randomUUID(), created: Date.now() / 1000 });
      return arn;
    },
    valueOf: (arn) => find(arn).value,
  };
}
