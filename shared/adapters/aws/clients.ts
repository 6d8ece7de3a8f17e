/** AWS SDK clients pointed at the local emulators (fauxqs, DynamoDB Local) with throwaway credentials. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

export const LOCAL_REGION = 'us-east-1';

/** The emulators accept any signature; these only have to be present so the SDK signs requests. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function localSqsClient(endpoint: string): SQSClient {
  // Queue URLs from fauxqs name a host (sqs.us-east-1.localhost) that need not resolve; always use the endpoint.
  return new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, useQueueUrlAsEndpoint: false });
}

export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/** fauxqs serves SNS on the same endpoint as SQS. */
export function localSnsClient(endpoint: string): SNSClient {
  return new SNSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}
