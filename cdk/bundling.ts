/**
 * What the stack bundles: one Lambda function per entry file under `functions/`. Shared with
 * `npm run bench:cold` (bench/cold-start.ts) so the bench measures exactly what is deployed. Plain
 * data, no aws-cdk-lib import, so the bench loads it without the CDK.
 */
export const FUNCTION_ENTRIES = ['ingest.ts', 'management.ts', 'consumer.ts'] as const;
export type FunctionEntry = (typeof FUNCTION_ENTRIES)[number];
