/**
 * `npm run dev`: Hookpost on this machine — fauxqs for SQS, DynamoDB Local for the table, the same
 * handlers as on AWS. Settings come from the environment (see SPEC "Local mode"); Ctrl-C stops it all.
 */
import { parseRetrySchedule } from '#shared/config.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '#shared/local/stack.ts';

interface DevSettings {
  port: number;
  adminKey?: string;
  retryScheduleSeconds?: number[];
  deliveryTimeoutMs?: number;
  allowPrivateTargets: boolean;
  portal: Pick<LocalStackOptions, 'portalSigningKey' | 'portalFrameAncestors' | 'publicUrl'>;
}

function readSettings(env: NodeJS.ProcessEnv): DevSettings {
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);

  const timeout = env.HOOKPOST_DELIVERY_TIMEOUT_MS;
  const deliveryTimeoutMs = timeout ? Number(timeout) : undefined;
  if (deliveryTimeoutMs !== undefined && (!Number.isInteger(deliveryTimeoutMs) || deliveryTimeoutMs <= 0)) {
    throw new Error(`HOOKPOST_DELIVERY_TIMEOUT_MS must be a positive integer, got "${timeout}"`);
  }

  const allow = env.HOOKPOST_ALLOW_PRIVATE_TARGETS || 'true'; // local receivers usually live on localhost
  if (allow !== 'true' && allow !== 'false') {
    throw new Error(`HOOKPOST_ALLOW_PRIVATE_TARGETS must be "true" or "false", got "${allow}"`);
  }

  return {
    port,
    adminKey: env.HOOKPOST_ADMIN_KEY || undefined,
    retryScheduleSeconds: env.HOOKPOST_RETRY_SCHEDULE ? parseRetrySchedule(env.HOOKPOST_RETRY_SCHEDULE) : undefined,
    deliveryTimeoutMs,
    allowPrivateTargets: allow === 'true',
    portal: {
      portalSigningKey: env.HOOKPOST_PORTAL_SIGNING_KEY || undefined,
      portalFrameAncestors: env.HOOKPOST_PORTAL_FRAME_ANCESTORS?.split(/[\s,]+/).filter(Boolean),
      publicUrl: env.HOOKPOST_PUBLIC_URL || undefined,
    },
  };
}

function banner(stack: LocalStack, adminKeyFromEnv: boolean, startedInMs: number): string {
  const key = adminKeyFromEnv ? '(from HOOKPOST_ADMIN_KEY)' : stack.adminKey;
  const auth = adminKeyFromEnv ? '$HOOKPOST_ADMIN_KEY' : stack.adminKey;
  const { config } = stack;
  return [
    `Hookpost local is up in ${(startedInMs / 1000).toFixed(1)} s`,
    `  API        ${stack.url}`,
    `  Admin key  ${key}`,
    `  Console    ${stack.url}/console  (sign in with the admin key)`,
    `  Retries    ${config.retryScheduleSeconds.join(', ')} s · delivery timeout ${config.deliveryTimeoutMs} ms · private targets ${config.allowPrivateTargets ? 'allowed' : 'refused'}`,
    '',
    'Try it:',
    `  curl -s ${stack.url}/v1/event-types -H "authorization: Bearer ${auth}" -H 'content-type: application/json' \\`,
    `    -d '{"type":"user.created","description":"A user signed up","example":{"id":"u_1"}}'`,
    `  curl -s ${stack.url}/v1/events -H "authorization: Bearer ${auth}" -H 'content-type: application/json' \\`,
    `    -d '{"type":"user.created","data":{"id":"u_1"}}'`,
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
