/**
 * `hookpost listen --forward-to <url>`: a temporary endpoint whose deliveries reach a receiver on this
 * machine. A relay on 127.0.0.1 is the endpoint: it verifies each delivery's signature with the
 * endpoint's key (hookpost/verify), prints it, forwards it with its original headers and body to
 * --forward-to, and answers Hookpost with the receiver's answer. On exit the endpoint is deleted.
 *
 * This reaches a local stack (`npm run dev`), which may deliver to 127.0.0.1. A deployed stack cannot
 * reach this machine: that path needs a `pull` destination (issue 27) and is not built yet.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from 'hookpost/verify';
import { apiFor, ok } from './api.ts';
import { EXIT, Failure, printJsonLine, println, styleFor, UsageError } from './io.ts';
import { TENANT_OPTION, type Verb } from './verb.ts';

/** Headers that belong to one hop, not to the delivery. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
const MAX_BODY = 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error('body over 1 MiB'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function verdict(body: Buffer, headers: http.IncomingHttpHeaders, key: string): { verified: boolean; reason?: string } {
  try {
    verifyWebhook(body, headers, key);
    return { verified: true };
  } catch (error) {
    return { verified: false, reason: (error as Error).message };
  }
}

export const listen: Verb = {
  name: 'listen',
  summary: 'forward a tenant’s deliveries to a receiver on this machine while it runs (local stack)',
  usage: ['listen --forward-to http://localhost:PORT/path [--events a,b] [--tenant t]'],
  help:
    'Creates a temporary endpoint (all types, or --events) served by a relay on 127.0.0.1 that verifies each\nsignature, prints the delivery and forwards it, original headers and body, to --forward-to; the receiver’s\nanswer goes back to Hookpost. Ctrl-C deletes the endpoint. Works against a local stack; a deployed stack\ncannot reach this machine yet (it needs the `pull` destination of issue 27).',
  options: { 'forward-to': { type: 'string' }, events: { type: 'string', multiple: true }, ...TENANT_OPTION, json: { type: 'boolean' } },
  async run(args, io) {
    const target = args.string('forward-to');
    if (!target) throw new UsageError('listen needs --forward-to http://localhost:PORT/path');
    let forwardTo: URL;
    try {
      forwardTo = new URL(target);
    } catch {
      throw new UsageError(`--forward-to is not a URL: ${target}`);
    }
    if (forwardTo.protocol !== 'http:' && forwardTo.protocol !== 'https:') throw new UsageError('--forward-to is an http(s) URL');
    const tenant = args.string('tenant') ?? 'default';
    const eventTypes = args.list('events') ?? ['*'];
    const api = apiFor(io);
    const style = styleFor(io);
    let key = '';

    const relay = http.createServer(async (req, res) => {
      try {
        const body = await readBody(req);
        const check = verdict(body, req.headers, key);
        const headers = Object.fromEntries(
          Object.entries(req.headers).flatMap(([name, value]) => (HOP_BY_HOP.has(name) || value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])),
        );
        let status = 502;
        let answer = '';
        try {
          const forwarded = await fetch(forwardTo, { method: req.method, headers, body: new Uint8Array(body), redirect: 'manual', signal: AbortSignal.timeout(30_000) });
          status = forwarded.status;
          answer = await forwarded.text();
        } catch (error) {
          answer = `hookpost listen could not reach ${forwardTo.href}: ${(error as Error).message}`;
        }
        const id = String(req.headers['webhook-id'] ?? '');
        let type = '';
        try {
          type = String((JSON.parse(body.toString('utf8')) as { type?: unknown }).type ?? '');
        } catch {}
        if (args.json) printJsonLine(io, { id, type, verified: check.verified, reason: check.reason, forwardedStatus: status, headers: req.headers, body: body.toString('utf8') });
        else {
          const mark = check.verified ? style.ok('verified') : style.bad(`NOT VERIFIED (${check.reason})`);
          println(io, `${id}  ${type}  ${mark}  → ${status >= 200 && status < 300 ? style.ok(String(status)) : style.bad(String(status))}`);
        }
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(answer);
      } catch {
        res.writeHead(400).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(0, '127.0.0.1', () => resolve());
    });
    const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}/`;

    let endpointId: string | undefined;
    try {
      const created = await ok(
        api.POST('/v1/tenants/{tenant}/subscriptions', {
          params: { path: { tenant } },
          body: { url: relayUrl, eventTypes, description: `hookpost listen → ${forwardTo.href} (temporary)`, enabled: true, headers: {} },
        }),
      );
      endpointId = created.id;
      key = ('publicKey' in created && created.publicKey) || (created as { secret?: string }).secret || '';
      if (!key) throw new Failure('the API gave no signing secret for the temporary endpoint');
      const ready = { endpoint: created.id, tenant, eventTypes, forwardTo: forwardTo.href, relay: relayUrl, secret: key };
      if (args.json) printJsonLine(io, { ready });
      else {
        println(io, `forwarding tenant ${tenant}'s ${eventTypes.join(',')} events to ${forwardTo.href} (temporary endpoint ${created.id}; Ctrl-C stops)`);
        println(io, `your receiver verifies them with ${key}`);
      }
      await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
    } finally {
      try {
        if (endpointId) {
          await ok(api.DELETE('/v1/tenants/{tenant}/subscriptions/{id}', { params: { path: { tenant, id: endpointId } } }));
          if (!args.json) println(io, `removed temporary endpoint ${endpointId}`);
        }
      } finally {
        // Closed even when the delete failed (the API gone): the command must still end.
        await new Promise<void>((resolve) => {
          relay.close(() => resolve());
          relay.closeAllConnections();
        });
      }
    }
    return EXIT.ok;
  },
};
