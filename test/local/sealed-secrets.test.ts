/**
 * A sealed signing secret opens only in the subscription item it was sealed for — shown through the
 * store (DynamoSubscriptionStore on DynamoDB Local), not only in the cipher's unit test: its sealed
 * text copied into another subscription's item, of the same tenant or of another tenant (even one
 * with the same subscription id), does not open there; copied back into its own item it still does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient, dynamoDbClient, LOCAL_REGION } from '#shared/adapters/aws/clients.ts';
import { DynamoSubscriptionStore, keys } from '#shared/adapters/aws/dynamodb.ts';
import { newSigningSecret } from '#shared/core/platform/ids.ts';
import { createSecretCipher, localKeyWrapper } from '#shared/core/platform/secret-cipher.ts';
import { createTable } from '#shared/local/resources.ts';
import { testSubscription } from '../helpers/dispatch.ts';

const client = dynamoDbClient(LOCAL_REGION, inject('dynamoDbEndpoint'));
const db = documentClient(client);
const table = `sealed-${randomUUID()}`;
const store = new DynamoSubscriptionStore(db, table, createSecretCipher(localKeyWrapper(randomBytes(32))));

beforeAll(() => createTable(client, table));
afterAll(() => client.destroy());

const AT = '2026-12-01T10:00:00.000Z';
const endpoint = (tenant: string, id: string) => testSubscription(id, AT, { tenant, secrets: [{ secret: newSigningSecret() }] });

const sealedSecrets = async (tenant: string, id: string) =>
  (await db.send(new GetCommand({ TableName: table, Key: keys.subscription(tenant, id) }))).Item?.secrets as { secret: string }[];

const copySecretsInto = (tenant: string, id: string, secrets: unknown) =>
  db.send(
    new UpdateCommand({
      TableName: table,
      Key: keys.subscription(tenant, id),
      UpdateExpression: 'SET secrets = :secrets',
      ExpressionAttributeValues: { ':secrets': secrets },
    }),
  );

describe('a sealed signing secret moved to another subscription item', () => {
  it('does not open there, in the same tenant or another one; it opens only in its own item', async () => {
    const source = endpoint('acme', 'sub_01ARZ3NDEKTSV4RRFFQ69G5FAV');
    const sameTenant = endpoint('acme', 'sub_01ARZ3NDEKTSV4RRFFQ69G5FAW');
    const otherTenantSameId = endpoint('globex', source.id);
    const otherTenant = endpoint('globex', 'sub_01ARZ3NDEKTSV4RRFFQ69G5FAX');
    for (const subscription of [source, sameTenant, otherTenantSameId, otherTenant]) await store.put(subscription);
    const stolen = await sealedSecrets(source.tenant, source.id);
    const secret = source.secrets[0]?.secret as string;
    // Stored sealed: the plain secret is nowhere in the item.
    expect(JSON.stringify(stolen)).not.toContain(secret.slice('whsec_'.length, 20));

    for (const target of [sameTenant, otherTenantSameId, otherTenant]) {
      await copySecretsInto(target.tenant, target.id, stolen);
      const opened = await store.get(target.tenant, target.id).then(
        (subscription) => subscription?.secrets.map((s) => s.secret),
        (error: Error) => error.message,
      );
      // AES-GCM's own refusal (the tag does not verify under this item's tenant/id), not some other failure.
      expect(opened, `${target.tenant}/${target.id}`).toMatch(/unable to authenticate data/);
    }

    // The copy itself is sound: written back into its own item, it opens to the secret.
    await copySecretsInto(source.tenant, source.id, stolen);
    expect((await store.get(source.tenant, source.id))?.secrets.map((s) => s.secret)).toEqual([secret]);
  });
});
