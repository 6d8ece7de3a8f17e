/** The verbs over the management and publish API: login, whoami, publish, endpoints, event-types, dead-letters, attempts. */
import { readFileSync } from 'node:fs';
import { allEndpoints, apiFor, ok } from './api.ts';
import { writeConfig } from './config.ts';
import { type Attempt, attemptLine } from './format.ts';
import { EXIT, type Io, pause, printJson, println, styleFor, UsageError } from './io.ts';
import { type Args, TENANT_OPTION, type Verb } from './verb.ts';

const JSON_OPTION = { json: { type: 'boolean' } } as const;

/** A JSON object given as text, checked but kept as written (numbers past 2^53 stay digit for digit). */
function jsonObjectText(text: string, what: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${what} is a JSON object, {…}`);
  return text.trim();
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

const tenantOf = (args: Args) => args.string('tenant') ?? 'default';

export const login: Verb = {
  name: 'login',
  summary: 'store the API base URL and key in your config file',
  usage: ['login --url <base url> --key <hp_…>'],
  help: 'Checks the key against the API (GET /v1/me), then writes them to $XDG_CONFIG_HOME/hookpost/config.json\n(default ~/.config/hookpost/config.json), mode 0600. HOOKPOST_URL and HOOKPOST_KEY override the file.',
  options: { url: { type: 'string' }, key: { type: 'string' }, ...JSON_OPTION },
  async run(args, io) {
    const url = args.string('url') ?? io.env.HOOKPOST_URL;
    const key = args.string('key') ?? io.env.HOOKPOST_KEY;
    if (!url || !key) throw new UsageError('login needs --url and --key (or HOOKPOST_URL and HOOKPOST_KEY)');
    if (!/^https?:\/\//.test(url)) throw new UsageError('--url is the API base URL, http(s)://…');
    const me = await ok(apiFor(io, { url, key }).GET('/v1/me'));
    const path = writeConfig(io.env, { url, key });
    if (args.json) printJson(io, { ...me, url, configPath: path });
    else println(io, `logged in to ${url} as ${me.scope} key ${me.keyId}${me.tenant ? ` (tenant ${me.tenant})` : ''}; saved in ${path}`);
    return EXIT.ok;
  },
};

export const whoami: Verb = {
  name: 'whoami',
  summary: 'show the key’s id, scope and tenant',
  usage: ['whoami'],
  help: `Reads HOOKPOST_URL/HOOKPOST_KEY or the config file.`,
  options: { ...JSON_OPTION },
  async run(args, io) {
    const me = await ok(apiFor(io).GET('/v1/me'));
    if (args.json) printJson(io, me);
    else println(io, `${me.scope} key ${me.keyId}${me.tenant ? `, tenant ${me.tenant}` : ''}`);
    return EXIT.ok;
  },
};

export const publish: Verb = {
  name: 'publish',
  summary: 'publish an event',
  usage: ["publish <type> --data '<json object>' | --data-file <file> [--tenant t] [--idempotency-key k] [--wait N]"],
  help: 'The data is sent exactly as written. --wait N waits up to N seconds for a successful delivery attempt\nof the event and prints its attempts; exit 1 if none succeeded in time.',
  options: { data: { type: 'string' }, 'data-file': { type: 'string' }, 'idempotency-key': { type: 'string' }, wait: { type: 'string' }, ...TENANT_OPTION, ...JSON_OPTION },
  async run(args, io) {
    const type = args.positional(0, 'the event type: hookpost publish <type> --data …');
    const inline = args.string('data');
    const file = args.string('data-file');
    if ((inline === undefined) === (file === undefined)) throw new UsageError('give the event data with exactly one of --data or --data-file');
    const data = jsonObjectText(inline ?? readText(file as string, '--data-file'), inline !== undefined ? '--data' : '--data-file');
    const wait = args.integer('wait', 0, 0, 3600);
    const tenant = args.string('tenant');
    const body = `{"type":${JSON.stringify(type)},${tenant ? `"tenant":${JSON.stringify(tenant)},` : ''}"data":${data}}`;
    const key = args.string('idempotency-key');
    const api = apiFor(io);
    const accepted = await ok(
      api.POST('/v1/events', {
        // Sent as the text built above, not re-serialized, so data keeps every digit.
        body: { type, data: {}, ...(tenant ? { tenant } : {}) },
        bodySerializer: () => body,
        ...(key ? { headers: { 'idempotency-key': key } } : {}),
      }),
    );
    if (args.json && wait === 0) printJson(io, accepted);
    else if (!args.json) println(io, `published ${accepted.id} (${accepted.type}, tenant ${accepted.tenant})`);
    if (wait === 0) return EXIT.ok;

    const attempts = await waitForDelivery(io, accepted.tenant, accepted.id, wait * 1000, args.json);
    if (args.json) printJson(io, { ...accepted, attempts });
    const delivered = attempts.some((a) => a.status === 'succeeded');
    if (!args.json && !delivered) println(io, styleFor(io).bad(`no successful attempt within ${wait} s`));
    return delivered ? EXIT.ok : EXIT.failure;
  },
};

/** Polls the tenant's endpoints' attempt logs for this message until one attempt succeeded or the time is up. */
async function waitForDelivery(io: Io, tenant: string, messageId: string, ms: number, quiet: boolean): Promise<Attempt[]> {
  const api = apiFor(io);
  const style = styleFor(io);
  const seen = new Map<string, Attempt>();
  const deadline = Date.now() + ms;
  for (;;) {
    for (const endpoint of await allEndpoints(api, tenant)) {
      const page = await ok(api.GET('/v1/tenants/{tenant}/subscriptions/{id}/attempts', { params: { path: { tenant, id: endpoint.id }, query: { limit: 100 } } }));
      for (const attempt of page.items.filter((a) => a.messageId === messageId && !seen.has(a.id)).reverse()) {
        seen.set(attempt.id, attempt);
        if (!quiet) println(io, attemptLine(attempt, style));
      }
    }
    if ([...seen.values()].some((a) => a.status === 'succeeded') || Date.now() >= deadline || io.signal.aborted) return [...seen.values()];
    await pause(Math.min(500, Math.max(0, deadline - Date.now())), io.signal);
  }
}

const ENDPOINT_ACTIONS = ['list', 'create', 'update', 'delete', 'rotate', 'test'] as const;

export const endpoints: Verb = {
  name: 'endpoints',
  summary: 'list, create, update, delete, rotate the secret of, or test a tenant’s endpoints',
  usage: [
    'endpoints list [--tenant t]',
    'endpoints create --url <url> [--events a,b] [--description d] [--ed25519] [--tenant t]',
    'endpoints update <id> [--url u] [--events a,b] [--description d] [--enable | --disable] [--tenant t]',
    'endpoints delete <id> [--tenant t]',
    'endpoints rotate <id> [--tenant t]',
    'endpoints test <id> [--type event.type] [--tenant t]',
  ],
  help: '--events defaults to * (every type) on create. create and rotate print the new signing secret (or\npublic key for --ed25519). test makes one signed POST now and prints the attempt.',
  options: {
    url: { type: 'string' },
    events: { type: 'string', multiple: true },
    description: { type: 'string' },
    ed25519: { type: 'boolean' },
    enable: { type: 'boolean' },
    disable: { type: 'boolean' },
    type: { type: 'string' },
    ...TENANT_OPTION,
    ...JSON_OPTION,
  },
  async run(args, io) {
    const action = args.positional(0, `an action: ${ENDPOINT_ACTIONS.join(', ')}`);
    const api = apiFor(io);
    const tenant = tenantOf(args);
    const style = styleFor(io);
    const id = () => args.positional(1, `the endpoint id: hookpost endpoints ${action} <sub_…>`);
    const show = (value: unknown, line: string) => (args.json ? printJson(io, value) : println(io, line));
    switch (action) {
      case 'list': {
        const all = await allEndpoints(api, tenant);
        if (args.json) printJson(io, { items: all });
        else if (all.length === 0) println(io, `no endpoints for tenant ${tenant}`);
        for (const e of args.json ? [] : all) {
          println(io, `${e.id}  ${e.enabled ? style.ok('enabled ') : style.bad('disabled')}  ${e.url}  ${e.eventTypes.join(',')}${e.description ? `  ${style.dim(e.description)}` : ''}`);
        }
        return EXIT.ok;
      }
      case 'create': {
        const url = args.string('url');
        if (!url) throw new UsageError('endpoints create needs --url');
        const created = await ok(
          api.POST('/v1/tenants/{tenant}/subscriptions', {
            params: { path: { tenant } },
            body: {
              url,
              eventTypes: args.list('events') ?? ['*'],
              description: args.string('description') ?? '',
              enabled: true,
              headers: {},
              ...(args.flag('ed25519') ? { signingAlgorithm: 'ed25519' as const } : {}),
            },
          }),
        );
        const credential = 'publicKey' in created && created.publicKey ? `public key ${created.publicKey}` : `secret ${(created as { secret?: string }).secret}`;
        show(created, `created ${created.id} → ${created.url} (${created.eventTypes.join(',')}); ${credential}`);
        return EXIT.ok;
      }
      case 'update': {
        if (args.flag('enable') && args.flag('disable')) throw new UsageError('give --enable or --disable, not both');
        const patch = {
          ...(args.string('url') ? { url: args.string('url') } : {}),
          ...(args.list('events') ? { eventTypes: args.list('events') } : {}),
          ...(args.string('description') !== undefined ? { description: args.string('description') } : {}),
          ...(args.flag('enable') ? { enabled: true } : args.flag('disable') ? { enabled: false } : {}),
        };
        if (Object.keys(patch).length === 0) throw new UsageError('nothing to update: give --url, --events, --description, --enable or --disable');
        const updated = await ok(api.PATCH('/v1/tenants/{tenant}/subscriptions/{id}', { params: { path: { tenant, id: id() } }, body: patch }));
        show(updated, `updated ${updated.id} → ${updated.url} (${updated.eventTypes.join(',')}, ${updated.enabled ? 'enabled' : 'disabled'})`);
        return EXIT.ok;
      }
      case 'delete': {
        const which = id();
        await ok(api.DELETE('/v1/tenants/{tenant}/subscriptions/{id}', { params: { path: { tenant, id: which } } }));
        show({ deleted: which }, `deleted ${which}`);
        return EXIT.ok;
      }
      case 'rotate': {
        const rotated = await ok(api.POST('/v1/tenants/{tenant}/subscriptions/{id}/rotate-secret', { params: { path: { tenant, id: id() } } }));
        show(rotated, `new ${'publicKey' in rotated && rotated.publicKey ? `public key ${rotated.publicKey}` : `secret ${(rotated as { secret?: string }).secret}`} (the old one keeps signing for a while: see docs/api.md)`);
        return EXIT.ok;
      }
      case 'test': {
        const type = args.string('type');
        const attempt = await ok(api.POST('/v1/tenants/{tenant}/subscriptions/{id}/test', { params: { path: { tenant, id: id() } }, body: type ? { type } : {} }));
        show(attempt, attemptLine(attempt, style));
        return attempt.status === 'succeeded' ? EXIT.ok : EXIT.failure;
      }
      default:
        throw new UsageError(`unknown action ${action}: ${ENDPOINT_ACTIONS.join(', ')}`);
    }
  },
};

export const eventTypes: Verb = {
  name: 'event-types',
  summary: 'list, create or replace, and delete event types',
  usage: ['event-types list', "event-types put <type> [--description d] [--schema-file f.json] [--example '<json>']", 'event-types delete <type>'],
  help: 'put creates the type or replaces it whole (admin key).',
  options: { description: { type: 'string' }, 'schema-file': { type: 'string' }, example: { type: 'string' }, ...JSON_OPTION },
  async run(args, io) {
    const action = args.positional(0, 'an action: list, put, delete');
    const api = apiFor(io);
    switch (action) {
      case 'list': {
        const list = await ok(api.GET('/v1/event-types'));
        if (args.json) printJson(io, list);
        else for (const t of list.items) println(io, `${t.type}${t.description ? `  ${styleFor(io).dim(t.description)}` : ''}`);
        return EXIT.ok;
      }
      case 'put': {
        const type = args.positional(1, 'the event type: hookpost event-types put <type>');
        const schemaFile = args.string('schema-file');
        const example = args.string('example');
        const body = {
          description: args.string('description') ?? '',
          ...(schemaFile ? { schema: JSON.parse(jsonObjectText(readText(schemaFile, '--schema-file'), '--schema-file')) } : {}),
          ...(example !== undefined ? { example: JSON.parse(jsonObjectText(example, '--example')) } : {}),
        };
        const saved = await ok(api.PUT('/v1/event-types/{type}', { params: { path: { type } }, body }));
        if (args.json) printJson(io, saved);
        else println(io, `saved event type ${type}`);
        return EXIT.ok;
      }
      case 'delete': {
        const type = args.positional(1, 'the event type: hookpost event-types delete <type>');
        await ok(api.DELETE('/v1/event-types/{type}', { params: { path: { type } } }));
        if (args.json) printJson(io, { deleted: type });
        else println(io, `deleted event type ${type}`);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown action ${action}: list, put, delete`);
    }
  },
};

export const deadLetters: Verb = {
  name: 'dead-letters',
  summary: 'list the dead-letter queue, or move it back to be delivered again',
  usage: ['dead-letters list [--limit N]', 'dead-letters redrive'],
  help: 'Admin key. redrive moves every dead letter back to the events queue.',
  options: { limit: { type: 'string' }, ...JSON_OPTION },
  async run(args, io) {
    const action = args.positional(0, 'an action: list, redrive');
    const api = apiFor(io);
    if (action === 'list') {
      const limit = args.integer('limit', 10, 1, 10);
      const list = await ok(api.GET('/v1/dead-letters', { params: { query: { limit } } }));
      if (args.json) printJson(io, list);
      else {
        println(io, `about ${list.approximateCount} dead letters`);
        for (const item of list.items) println(io, JSON.stringify(item));
      }
      return EXIT.ok;
    }
    if (action === 'redrive') {
      const result = await ok(api.POST('/v1/dead-letters/redrive'));
      if (args.json) printJson(io, result);
      else println(io, 'moved' in result ? `moved ${result.moved} back to the events queue` : `redrive started (${JSON.stringify(result)})`);
      return EXIT.ok;
    }
    throw new UsageError(`unknown action ${action}: list, redrive`);
  },
};

export const attempts: Verb = {
  name: 'attempts',
  summary: 'an endpoint’s delivery attempts, newest first',
  usage: ['attempts <endpoint id> [--status succeeded|failed] [--limit N] [--tenant t]'],
  help: 'One page (--limit, 1–100, default 50).',
  options: { status: { type: 'string' }, limit: { type: 'string' }, ...TENANT_OPTION, ...JSON_OPTION },
  async run(args, io) {
    const id = args.positional(0, 'the endpoint id: hookpost attempts <sub_…>');
    const status = args.string('status');
    if (status !== undefined && status !== 'succeeded' && status !== 'failed') throw new UsageError('--status is succeeded or failed');
    const limit = args.integer('limit', 50, 1, 100);
    const page = await ok(
      apiFor(io).GET('/v1/tenants/{tenant}/subscriptions/{id}/attempts', {
        params: { path: { tenant: tenantOf(args), id }, query: { limit, ...(status ? { status } : {}) } },
      }),
    );
    if (args.json) printJson(io, page);
    else for (const attempt of page.items) println(io, attemptLine(attempt, styleFor(io)));
    return EXIT.ok;
  },
};

