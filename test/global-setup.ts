/**
 * Starts one DynamoDB Local for the whole test run; files reach it with `inject('dynamoDbEndpoint')`.
 * Removes the AWS call logs of runs long past (test/iam/call-log.ts).
 */
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '#shared/local/dynamodb-local.ts';
import { removeOldCallLogs } from './iam/call-log.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

let dynamoDb: DynamoDbLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  removeOldCallLogs();
  dynamoDb = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamoDb?.stop();
}
