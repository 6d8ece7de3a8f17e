/**
 * Which destinations a delivery may go to (SSRF): loopback, private networks, link-local (incl. the
 * cloud metadata address 169.254.169.254), CGNAT, IPv6 ULA/link-local, and IPv6 forms that embed such
 * an IPv4 address are not public. `checkUrl` judges a URL when a subscription is saved (and again
 * before each send, for IP-literal hosts); the HTTP adapter's guarded lookup applies the same
 * classification to the address actually connected to (see adapters/http/ssrf-guard.ts).
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

const MAX_URL_LENGTH = 2048;

/** Ordered: the first match names the class. Anything unmatched must still be ipaddr.js 'unicast'. */
const IPV4_CLASSES: ReadonlyArray<readonly [[IPv4, number], string]> = (
  [
    ['0.0.0.0/8', 'unspecified ("this network")'],
    ['10.0.0.0/8', 'private'],
    ['172.16.0.0/12', 'private'],
    ['192.168.0.0/16', 'private'],
    ['100.64.0.0/10', 'carrier-grade NAT'],
    ['127.0.0.0/8', 'loopback'],
    ['169.254.169.254/32', 'link-local (cloud metadata service)'],
    ['169.254.0.0/16', 'link-local'],
    ['192.0.0.0/24', 'IETF protocol assignments'],
    ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
    ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
    ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
    ['198.18.0.0/15', 'benchmarking'],
    ['192.88.99.0/24', '6to4 relay anycast'],
    ['224.0.0.0/4', 'multicast'],
    ['255.255.255.255/32', 'broadcast'],
    ['240.0.0.0/4', 'reserved'],
  ] as const
).map(([cidr, label]) => [ipaddr.IPv4.parseCIDR(cidr), label] as const);

/** IPv6 ranges refused outright (embedded-IPv4 forms are handled before this table). */
const IPV6_CLASSES: ReadonlyArray<readonly [[IPv6, number], string]> = (
  [
    ['::/128', 'unspecified'],
    ['::1/128', 'loopback'],
    ['64:ff9b:1::/48', 'local-use NAT64'],
    ['2001::/32', 'Teredo'],
    ['2001:db8::/32', 'documentation'],
    ['fc00::/7', 'unique local'],
    ['fe80::/10', 'link-local'],
    ['fec0::/10', 'site-local (deprecated)'],
    ['ff00::/8', 'multicast'],
    ['100::/64', 'discard-only'],
  ] as const
).map(([cidr, label]) => [ipaddr.IPv6.parseCIDR(cidr), label] as const);

/** IPv6 prefixes whose last 32 bits are an IPv4 address: the verdict is the embedded address's. */
const IPV6_EMBEDDING_LAST_32: ReadonlyArray<readonly [[IPv6, number], string]> = (
  [
    ['::ffff:0:0/96', 'IPv4-mapped'],
    ['::ffff:0:0:0/96', 'IPv4-translated'],
    ['64:ff9b::/96', 'NAT64'],
    ['::/96', 'IPv4-compatible'],
  ] as const
).map(([cidr, label]) => [ipaddr.IPv6.parseCIDR(cidr), label] as const);

const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16');
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

function v4FromParts(high: number, low: number): IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function classifyV4(address: IPv4): string | undefined {
  for (const [range, label] of IPV4_CLASSES) {
    if (address.match(range)) return label;
  }
  const range = address.range();
  return range === 'unicast' ? undefined : range;
}

function classifyV6(address: IPv6): string | undefined {
  const parts = address.parts;
  // :: and ::1 sit inside ::/96 but are classes of their own.
  for (const [range, label] of IPV6_CLASSES.slice(0, 2)) {
    if (address.match(range)) return label;
  }
  for (const [range, label] of IPV6_EMBEDDING_LAST_32) {
    if (address.match(range)) {
      const embedded = v4FromParts(parts[6] ?? 0, parts[7] ?? 0);
      const inner = classifyV4(embedded);
      return inner === undefined ? undefined : `${label} form of ${embedded.toString()} (${inner})`;
    }
  }
  if (address.match(SIX_TO_FOUR)) {
    const embedded = v4FromParts(parts[1] ?? 0, parts[2] ?? 0);
    const inner = classifyV4(embedded);
    return inner === undefined ? undefined : `6to4 form of ${embedded.toString()} (${inner})`;
  }
  for (const [range, label] of IPV6_CLASSES) {
    if (address.match(range)) return label;
  }
  const range = address.range();
  if (range !== 'unicast') return range;
  return address.match(GLOBAL_UNICAST_V6) ? undefined : 'outside global unicast (2000::/3)';
}

/**
 * Why `ip` is not a public destination ("loopback", "private", ...), or `undefined` when it is.
 * Only canonical IPv4/IPv6 text (what DNS and WHATWG URL produce) is accepted; anything else is
 * refused as "not an IP address" so an odd spelling can never slip through.
 */
export function nonPublicReason(ip: string): string | undefined {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const version = net.isIP(bare);
  if (version === 0) return 'not an IP address';
  try {
    if (version === 4) return classifyV4(ipaddr.IPv4.parse(bare));
    // ipaddr.js reads `::1.2.3.4` as `::ffff:1.2.3.4`; WHATWG URL's IPv6 parser gives the real bits
    // in canonical hex. The zone (`%eth0`) does not change the class and URL would reject it.
    const zoneAt = bare.indexOf('%');
    const canonical = new URL(`http://[${zoneAt === -1 ? bare : bare.slice(0, zoneAt)}]/`).hostname;
    return classifyV6(ipaddr.IPv6.parse(canonical.slice(1, -1)));
  } catch {
    return 'not an IP address';
  }
}

export function isPublicAddress(ip: string): boolean {
  return nonPublicReason(ip) === undefined;
}

export type UrlCheck =
  | { ok: true; url: URL }
  | {
      ok: false;
      reason: string;
      /** invalid_url: malformed, wrong scheme, credentials, too long. blocked: non-public destination. */
      code: 'invalid_url' | 'blocked';
    };

export interface GuardOptions {
  /** Local mode: allow loopback/private destinations and plain http:. */
  allowPrivateTargets: boolean;
}

function isLocalhostName(hostname: string): boolean {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Validates a destination URL. Hosts that are IP literals in any spelling (`127.1`, `0x7f.1`,
 * `2130706433`, `[::ffff:7f00:1]`) are normalised by WHATWG URL first, then judged. Host names are
 * judged again on every connection by the guarded lookup.
 */
export function checkUrl(url: string, opts: GuardOptions): UrlCheck {
  if (url.length > MAX_URL_LENGTH) {
    return { ok: false, code: 'invalid_url', reason: `URL is longer than ${MAX_URL_LENGTH} characters` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, code: 'invalid_url', reason: 'not a valid absolute URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { ok: false, code: 'invalid_url', reason: `scheme ${parsed.protocol} is not allowed (use https:)` };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return { ok: false, code: 'invalid_url', reason: 'URL must not contain credentials' };
  }
  const hostname = parsed.hostname;
  if (hostname === '') {
    return { ok: false, code: 'invalid_url', reason: 'URL has no host' };
  }
  if (opts.allowPrivateTargets) return { ok: true, url: parsed };

  // The destination is judged before the scheme: "127.0.0.1 is loopback" is the answer that helps.
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (net.isIP(bare) !== 0) {
    const reason = nonPublicReason(bare);
    if (reason !== undefined) return { ok: false, code: 'blocked', reason: `destination ${bare} is ${reason}` };
  } else if (isLocalhostName(hostname)) {
    // RFC 6761: these names always mean loopback, no need to wait for resolution to refuse them.
    return { ok: false, code: 'blocked', reason: `destination ${hostname} is loopback` };
  }
  if (parsed.protocol !== 'https:') {
    return { ok: false, code: 'invalid_url', reason: 'plain http: is not allowed (use https:)' };
  }
  return { ok: true, url: parsed };
}
