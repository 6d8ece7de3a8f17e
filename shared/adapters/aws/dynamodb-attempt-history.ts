/**
 * Recent attempts of one subscription. Attempt ids are `att_<ULID>` and ULIDs sort by time, so
 * "since T" is a key condition `sk >= attemptIdFloor(T)`: no scan, no filter.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Attempt } from '../../core/domain.ts';
import { attemptIdFloor } from '../../core/ids.ts';
import type { AttemptHistory } from '../../core/ports.ts';
import { keys } from './dynamodb.ts';
import { queryPages } from './dynamodb-pages.ts';

export class DynamoAttemptHistory implements AttemptHistory {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async since(subscriptionId: string, sinceMs: number, max: number): Promise<{ items: Attempt[]; truncated: boolean }> {
    const { pk } = keys.attempt(subscriptionId, '');
    // One more than asked for tells whether there were more.
    const { items } = await queryPages(
      this.db,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk >= :floor',
        ExpressionAttributeValues: { ':pk': pk, ':floor': attemptIdFloor(sinceMs) },
        // Only what stats and recovery read: keeps each page small (1 MB per Query page).
        ProjectionExpression: 'id, messageId, #status, #test, #ts, attemptNumber',
        ExpressionAttributeNames: { '#status': 'status', '#test': 'test', '#ts': 'timestamp' },
      },
      max + 1,
    );
    return { items: items.slice(0, max) as unknown as Attempt[], truncated: items.length > max };
  }
}
