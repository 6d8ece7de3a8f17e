/**
 * `npm run dev`: Hookpost on this machine — fauxqs for SQS, DynamoDB Local for the table, the same
 * handlers as on AWS. Settings come from the environment (core/platform/settings.ts names them; README "Configure" lists them); Ctrl-C stops it all.
 */
import { booleanSetting, ENV, parseRetrySchedule, positiveInt, refuseRenamedVariables } from '#shared/core/platform/settings.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '#shared/local/stack.ts';

interface DevSettings {
  port: number;
  adminKey?: string;
  retryScheduleSeconds?: number[];
  deliveryTimeoutMs?: number;
  slowLaneAfterMs?: number;
  slowLaneHoldMs?: number;
  rateLimitInlineWaitMs?: number;
  allowPrivateTargets: boolean;
  portal: Pick<LocalStackOptions, 'portalSigningKey' | 'portalFrameAncestors' | 'publicUrl'>;
}

/** The same variables, names and parsers as the Lambda functions (core/platform/settings.ts), plus PORT. */
function readSettings(env: NodeJS.ProcessEnv): DevSettings {
  refuseRenamedVariables(env);
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const schedule = env[ENV.retryScheduleSeconds];
  return {
    port,
    adminKey: env[ENV.adminKey] || undefined,
    retryScheduleSeconds: schedule ? parseRetrySchedule(schedule) : undefined,
    deliveryTimeoutMs: env[ENV.deliveryTimeoutMs] ? positiveInt(env, ENV.deliveryTimeoutMs, 0) : undefined,
    slowLaneAfterMs: env[ENV.slowLaneAfterMs] ? positiveInt(env, ENV.slowLaneAfterMs, 0) : undefined,
    slowLaneHoldMs: env[ENV.slowLaneHoldMs] ? positiveInt(env, ENV.slowLaneHoldMs, 0) : undefined,
    rateLimitInlineWaitMs: env[ENV.rateLimitInlineWaitMs] ? positiveInt(env, ENV.rateLimitInlineWaitMs, 0) : undefined,
    // Local receivers usually live on localhost, so private targets are allowed here by default.
    allowPrivateTargets: booleanSetting(env, ENV.allowPrivateTargets, true),
    portal: {
      portalSigningKey: env[ENV.portalSigningKey] || undefined,
      portalFrameAncestors: env[ENV.portalFrameAncestors]?.split(/[\s,]+/).filter(Boolean),
      publicUrl: env[ENV.publicUrl] || undefined,
    },
  };
}

/** The start banner; its "Try it" lines run as written in a second terminal (npm run test:readme runs them). */
function banner(stack: LocalStack, adminKeyFromEnv: boolean, startedInMs: number): string {
  // A key from the environment is not echoed: the second terminal is told where it comes from instead.
  const key = adminKeyFromEnv ? '(from HOOKPOST_ADMIN_KEY)' : stack.adminKey;
  const exportKey = adminKeyFromEnv ? "'<your HOOKPOST_ADMIN_KEY>'" : stack.adminKey;
  const { settings } = stack;
  return [
    `Hookpost local is up in ${(startedInMs / 1000).toFixed(1)} s`,
    `  API        ${stack.url}`,
    `  Admin key  ${key}`,
    `  Console    ${stack.url}/console  (sign in with the admin key)`,
    `  Retries    ${settings.retryScheduleSeconds.join(', ')} s · delivery timeout ${settings.deliveryTimeoutMs} ms · private targets ${settings.allowPrivateTargets ? 'allowed' : 'refused'}`,
    '',
    'Try it in a second terminal, in this directory (README "Try it" goes on from here):',
    `  export HP=${stack.url} KEY=${exportKey}`,
    '  HOOKPOST_URL=$HP HOOKPOST_ADMIN_KEY=$KEY npm run seed',
    `  curl -sS --fail-with-body $HP/v1/events -H "authorization: Bearer $KEY" -H 'content-type: application/json' \\`,
    `    -d '{"type":"User.Created","data":{"id":"u_1","primaryEmail":"ada@example.com","createdAt":"2026-12-01T12:00:00Z"}}'`,
    '',
    'Ctrl-C stops everything (data is kept in memory only).',
  ].join('\n');
}

async function main(): Promise<void> {
  let settings: DevSettings;
  try {
    settings = readSettings(process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }

  // Installed before anything starts, so a Ctrl-C during start-up also stops cleanly.
  let stack: LocalStack | undefined;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`\n${signal} again: exiting now`);
      process.exit(1); // the DynamoDB Local 'exit' hook still kills Java
    }
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    if (!stack) return; // still starting: main() stops it as soon as it is up
    void stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Did not stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  const started = Date.now();
  try {
    stack = await startLocalStack({
      port: settings.port,
      adminKey: settings.adminKey,
      retryScheduleSeconds: settings.retryScheduleSeconds,
      deliveryTimeoutMs: settings.deliveryTimeoutMs,
      slowLaneAfterMs: settings.slowLaneAfterMs,
      slowLaneHoldMs: settings.slowLaneHoldMs,
      rateLimitInlineWaitMs: settings.rateLimitInlineWaitMs,
      allowPrivateTargets: settings.allowPrivateTargets,
      ...settings.portal,
    });
  } catch (error) {
    console.error('Could not start Hookpost locally:', error instanceof Error ? error.message : error);
    process.exit(1);
  }
  if (stopping) {
    await stack.stop();
    process.exit(0);
  }
  console.log(banner(stack, settings.adminKey !== undefined, Date.now() - started));
}

await main();
