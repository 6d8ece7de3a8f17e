import { defineConfig } from 'vitest/config';
import { runCallLogDir } from './test/iam/call-log.ts';

// Every local stack of this run records its AWS calls here (shared/local/aws-calls.ts); test/iam reads them.
const awsCallLog = { HOOKPOST_AWS_CALL_LOG: runCallLogDir() };

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Three files at a time on two cores: most of a suite's time is waiting (on receivers, queues,
    // Chromium, DynamoDB Local), so a third worker takes the run from about 10 to about 6 minutes;
    // no test may depend on how busy the machine is.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: 'suites',
          include: ['test/**/*.test.ts'],
          exclude: ['test/iam/**'],
          // One DynamoDB Local (a JVM, ~2–3 s to start) for the whole run; test files share it by endpoint.
          globalSetup: ['test/global-setup.ts'],
          env: awsCallLog,
        },
      },
      {
        extends: true,
        test: {
          name: 'iam',
          include: ['test/iam/**/*.test.ts'],
          // After every other suite: it evaluates the AWS calls they recorded.
          sequence: { groupOrder: 1 },
          env: awsCallLog,
        },
      },
    ],
  },
});
