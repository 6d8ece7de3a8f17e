/**
 * API keys in the single table, two items per key written together: one under `API_KEYS` for listing
 * (sk = key id) and one under `API_KEY#<hash>` so the authorizer finds a key with one GetItem.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../../core/platform/domain.ts';
import type { ApiKeyStore, Page } from '../../core/platform/ports.ts';
import { decodeCursor, encodeCursor } from './dynamodb.ts';
import { queryPages } from './dynamodb-pages.ts';

const LIST_PK = 'API_KEYS';
const listKey = (id: string) => ({ pk: LIST_PK, sk: id });
const hashKey = (hash: string) => ({ pk: `API_KEY#${hash}`, sk: '-' });

function record(item: Record<string, unknown>): ApiKeyRecord {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as ApiKeyRecord;
}

export class DynamoApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async create(key: ApiKeyRecord): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: { ...listKey(key.id), ...key }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: this.table, Item: { ...hashKey(key.hash), ...key }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
  }

  async list(options: { limit: number; cursor?: string }): Promise<Page<ApiKeyRecord>> {
    const { items, lastKey } = await queryPages(
      this.db,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': LIST_PK },
        ExclusiveStartKey: decodeCursor(options.cursor, LIST_PK),
      },
      options.limit,
    );
    return { items: items.map(record), ...(lastKey ? { nextCursor: encodeCursor(lastKey) } : {}) };
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: hashKey(hash) }));
    return Item ? record(Item) : undefined;
  }

  async delete(id: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: listKey(id), ConsistentRead: true }));
    if (!Item) return undefined;
    const deleted = record(Item);
    const { hash } = deleted;
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table, Key: listKey(id) } },
          { Delete: { TableName: this.table, Key: hashKey(hash) } },
        ],
      }),
    );
    return deleted;
  }
}
