/**
 * Recent attempts of one subscription. Attempt ids are `att_<ULID>` and ULIDs sort by time, so
 * "since T" is a key condition `sk >= attemptIdFloor(T)`: no scan, no filter. A pack of successes
 * (dynamodb-attempts.ts) is keyed by its newest attempt, so its older ones are checked against T here.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Attempt } from '../../core/platform/domain.ts';
import { attemptIdFloor } from '../../core/platform/ids.ts';
import type { AttemptHistory } from '../../core/platform/ports.ts';
import { unpack } from './dynamodb-attempts.ts';
import { keys } from './dynamodb.ts';
import { queryPages } from './dynamodb-pages.ts';

export class DynamoAttemptHistory implements AttemptHistory {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly table: string) {}

  async since(subscriptionId: string, sinceMs: number, max: number): Promise<{ items: Attempt[]; truncated: boolean }> {
    const { pk } = keys.attempt(subscriptionId, '');
    const floor = attemptIdFloor(sinceMs);
    // One more than asked for tells whether there were more (an item holds at least one attempt).
    const { items } = await queryPages(
      this.db,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk >= :floor',
        ExpressionAttributeValues: { ':pk': pk, ':floor': floor },
        // Only what stats and recovery read: keeps each page small (1 MB per Query page).
        ProjectionExpression: 'id, messageId, #status, #test, #ts, attemptNumber, #pack',
        ExpressionAttributeNames: { '#status': 'status', '#test': 'test', '#ts': 'timestamp', '#pack': 'pack' },
      },
      max + 1,
    );
    const attempts = items
      .flatMap((item) => unpack(item))
      .filter((attempt) => attempt.id >= floor)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { items: attempts.slice(0, max), truncated: attempts.length > max };
  }
}
