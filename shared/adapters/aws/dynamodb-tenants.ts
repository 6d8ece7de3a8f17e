/**
 * The tenant registry: one small item per tenant that has (or had) an endpoint, so operators can list
 * tenants without scanning the table. Subscription create adds it; deleting a tenant's last endpoint
 * removes it. Endpoint counts are read per listed tenant (a COUNT query on the tenant's SUB# items).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Page, TenantRecord, TenantRegistry } from '../../core/platform/ports.ts';
import { decodeCursor, encodeCursor } from './dynamodb.ts';

const PK = 'TENANTS';
/** A tenant's item in the registry (one partition for all of them). */
export const tenantRegistryKey = (tenant: string) => ({ pk: PK, sk: tenant });

export class DynamoTenantRegistry implements TenantRegistry {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async add(tenant: string, at: string): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.table, Item: { ...tenantRegistryKey(tenant), tenant, createdAt: at }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async removeIfEmpty(tenant: string): Promise<void> {
    if ((await this.countEndpoints(tenant)) === 0) await this.db.send(new DeleteCommand({ TableName: this.table, Key: tenantRegistryKey(tenant) }));
  }

  async list(options: { limit: number; cursor?: string }): Promise<Page<TenantRecord & { endpoints: number }>> {
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': PK },
        Limit: options.limit,
        ExclusiveStartKey: decodeCursor(options.cursor, PK),
      }),
    );
    const records = (page.Items ?? []).map((item) => ({ tenant: String(item.tenant), createdAt: String(item.createdAt) }));
    const items = await Promise.all(records.map(async (record) => ({ ...record, endpoints: await this.countEndpoints(record.tenant) })));
    const nextCursor = encodeCursor(page.LastEvaluatedKey);
    return { items, ...(nextCursor ? { nextCursor } : {}) };
  }

  private async countEndpoints(tenant: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenant}`, ':sub': 'SUB#' },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }
}
