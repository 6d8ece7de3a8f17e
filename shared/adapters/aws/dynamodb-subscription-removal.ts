/** Deleting a subscription (its queued retries then find nothing and are dropped by dispatch). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { SubscriptionRemoval } from '../../core/platform/ports.ts';
import { keys } from './dynamodb.ts';

export class DynamoSubscriptionRemoval implements SubscriptionRemoval {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async delete(tenant: string, id: string): Promise<boolean> {
    const { Attributes } = await this.db.send(
      new DeleteCommand({ TableName: this.table, Key: keys.subscription(tenant, id), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }
}
