/** The single DynamoDB table's key schema, shared by the CDK stack and local mode. */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes attempts, idempotency records and kept messages after it. */
  ttlAttribute: 'ttl',
} as const;
