/**
 * The AWS SDK clients, built one way for every caller: the regional service on AWS, or the local
 * emulators (fauxqs for SQS and SNS, DynamoDB Local) with throwaway credentials when an endpoint is set.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { translatingErrors } from './errors.ts';
import { localSqsLimits } from './local-limits.ts';

export const LOCAL_REGION = 'us-east-1';

/** The emulators accept any signature; these only have to be present so the SDK signs requests. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const at = (endpoint: string | undefined) => (endpoint ? { endpoint, credentials: LOCAL_CREDENTIALS } : {});

export function sqsClient(region: string, endpoint?: string): SQSClient {
  // Queue URLs from fauxqs name a host (sqs.us-east-1.localhost) that need not resolve; always use the endpoint.
  const client = translatingErrors(new SQSClient({ region, useQueueUrlAsEndpoint: false, ...at(endpoint) }), 'the events queue');
  // fauxqs is lenient about a few SQS limits (delays, FIFO ids, 12 h visibility): local mode refuses them as AWS would.
  return endpoint ? localSqsLimits.install(client) : client;
}

export function dynamoDbClient(region: string, endpoint?: string): DynamoDBClient {
  return translatingErrors(new DynamoDBClient({ region, ...at(endpoint) }), 'the table');
}

/** The document client the stores use (undefined attributes are left out, not refused). */
export const documentClient = (dynamo: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });

/** fauxqs serves SNS on the same endpoint as SQS. */
export function snsClient(region: string, endpoint?: string): SNSClient {
  return translatingErrors(new SNSClient({ region, ...at(endpoint) }), 'the alarm topic');
}

export const kmsClient = (region: string): KMSClient => translatingErrors(new KMSClient({ region }), 'the key service');

export const secretsManagerClient = (region: string): SecretsManagerClient =>
  translatingErrors(new SecretsManagerClient({ region }), 'the secret store');
