/**
 * `hookpost tail`: follows new delivery attempts, one line each, until stopped. A poll of each endpoint's
 * attempt log (newest first): what was not seen before is printed, oldest first. Ids already seen are
 * remembered rather than a high-water mark, so an attempt logged late (two consumers, out of id order)
 * still shows.
 */
import type { HookpostClient } from 'hookpost/client';
import { allEndpoints, apiFor, ok } from './api.ts';
import { type Attempt, attemptLine } from './format.ts';
import { EXIT, type Io, pause, printJsonLine, println, styleFor } from './io.ts';
import { TENANT_OPTION, type Verb } from './verb.ts';

/** Pages followed per endpoint and poll when every attempt on a page is new (a burst). */
const MAX_PAGES = 10;
const REMEMBERED = 5_000;

async function endpointIds(api: HookpostClient, tenant: string, only: string | undefined): Promise<string[]> {
  return only ? [only] : (await allEndpoints(api, tenant)).map((e) => e.id);
}

/** Attempts of one endpoint not in `seen`, newest first, following pages while a whole page is new. */
async function unseen(api: HookpostClient, tenant: string, id: string, seen: Set<string>): Promise<Attempt[]> {
  const fresh: Attempt[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await ok(
      api.GET('/v1/tenants/{tenant}/subscriptions/{id}/attempts', { params: { path: { tenant, id }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
    );
    const news = page.items.filter((a) => !seen.has(a.id));
    fresh.push(...news);
    if (news.length < page.items.length || !page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return fresh;
}

export const tail: Verb = {
  name: 'tail',
  summary: 'follow new delivery attempts live, one line each, until Ctrl-C',
  usage: ['tail [--tenant t] [--endpoint <sub_…>] [--interval ms]'],
  help: 'Polls the attempt log every --interval ms (default 1000) for every endpoint of the tenant (default\n"default"), or only --endpoint. Attempts made before it started are not shown. --json: one JSON object a line.',
  options: { endpoint: { type: 'string' }, interval: { type: 'string' }, ...TENANT_OPTION, json: { type: 'boolean' } },
  async run(args, io) {
    const api = apiFor(io);
    const tenant = args.string('tenant') ?? 'default';
    const only = args.string('endpoint');
    const interval = args.integer('interval', 1000, 100, 60_000);
    const style = styleFor(io);
    const seen = new Set<string>();
    const remember = (attempts: Attempt[]) => {
      for (const a of attempts) seen.add(a.id);
      for (const id of seen) {
        if (seen.size <= REMEMBERED) break;
        seen.delete(id);
      }
    };
    // What is there already is history, not news.
    for (const id of await endpointIds(api, tenant, only)) remember(await unseen(api, tenant, id, seen));
    if (!args.json) println(io, style.dim(`following attempts of ${only ?? `tenant ${tenant}`} (Ctrl-C stops)`));
    while (!io.signal.aborted) {
      await pause(interval, io.signal);
      if (io.signal.aborted) break;
      const fresh: Attempt[] = [];
      for (const id of await endpointIds(api, tenant, only)) fresh.push(...(await unseen(api, tenant, id, seen)));
      fresh.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const attempt of fresh) (args.json ? printJsonLine : (i: Io, a: Attempt) => println(i, attemptLine(a, style)))(io, attempt);
      remember(fresh);
    }
    return EXIT.ok;
  },
};
