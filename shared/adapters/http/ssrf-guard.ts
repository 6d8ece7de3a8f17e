/**
 * The connect-time half of the SSRF guard: a `lookup` for the HTTP connector that resolves a name and
 * refuses a non-public address (core/engine/destinations.ts), so the address connected to is the one that
 * was judged — no gap between check and connect, which is what defeats DNS rebinding.
 */
import dns from 'node:dns';
import { nonPublicReason, type GuardOptions } from '../../core/engine/index.ts';

/** Raised by the guarded lookup; undici surfaces it as the request's error. */
export class BlockedDestinationError extends Error {
  readonly code = 'EBLOCKED';
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly addressClass: string,
  ) {
    super(`blocked: destination ${hostname} resolved to ${address}, which is ${addressClass}`);
    this.name = 'BlockedDestinationError';
  }
}

/** A resolver returning every address, shaped like `dns.lookup(host, { all: true }, cb)`. */
export type ResolveAll = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const systemResolveAll: ResolveAll = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/** Same shape as `net.LookupFunction`, the `lookup` option of `net.connect`/`tls.connect`. */
export type GuardedLookup = (
  hostname: string,
  options: dns.LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
) => void;

/**
 * A `lookup` for undici's connector (`new Agent({ connect: { lookup } })`). Resolves every address
 * and fails with `BlockedDestinationError` if any one is non-public, since the socket may pick any.
 * Honours `options.all` (used by Node's happy-eyeballs `autoSelectFamily`) and the single-address
 * callback form otherwise.
 */
export function createGuardedLookup(opts: GuardOptions & { resolve?: ResolveAll }): GuardedLookup {
  const resolve = opts.resolve ?? systemResolveAll;
  return (hostname, options, callback) => {
    const { all, ...rest } = options ?? {};
    resolve(hostname, { ...rest, all: true }, (err, addresses) => {
      if (err) return callback(err, all ? [] : '', undefined);
      if (addresses.length === 0) {
        const notFound: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        notFound.code = 'ENOTFOUND';
        return callback(notFound, all ? [] : '', undefined);
      }
      if (!opts.allowPrivateTargets) {
        for (const { address } of addresses) {
          const reason = nonPublicReason(address);
          if (reason !== undefined) {
            return callback(new BlockedDestinationError(hostname, address, reason), all ? [] : '', undefined);
          }
        }
      }
      if (all) return callback(null, addresses);
      const first = addresses[0] as dns.LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}
