import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { checkUrl, isPublicAddress, nonPublicReason } from '#shared/core/engine/destinations.ts';
import { BlockedDestinationError, createGuardedLookup } from '#shared/adapters/http/ssrf-guard.ts';
import type { ResolveAll } from '#shared/adapters/http/ssrf-guard.ts';

const NON_PUBLIC: Array<[address: string, why: RegExp]> = [
  // IPv4
  ['0.0.0.0', /unspecified/],
  ['0.1.2.3', /unspecified/],
  ['10.0.0.1', /private/],
  ['10.255.255.255', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.254', /private/],
  ['192.168.1.1', /private/],
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['169.254.169.254', /metadata/],
  ['169.254.0.1', /link-local/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.127.255.254', /carrier-grade NAT/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['240.0.0.1', /reserved/],
  ['198.18.0.1', /benchmarking/],
  ['198.19.255.254', /benchmarking/],
  ['192.0.2.10', /TEST-NET-1/],
  ['198.51.100.10', /TEST-NET-2/],
  ['203.0.113.10', /TEST-NET-3/],
  ['192.0.0.8', /IETF/],
  // IPv6
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['fc00::1', /unique local/],
  ['fd00:ec2::254', /unique local/],
  ['fe80::1', /link-local/],
  ['fe80::1%eth0', /link-local/],
  ['febf:ffff::1', /link-local/],
  ['ff02::1', /multicast/],
  ['ff0e::1', /multicast/],
  ['2001:db8::1', /documentation/],
  ['2001::1', /Teredo/],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
  ['64:ff9b:1::a00:1', /local-use NAT64/],
  // IPv6 forms that embed a non-public IPv4 address are judged by that address
  ['::ffff:127.0.0.1', /IPv4-mapped form of 127\.0\.0\.1 \(loopback\)/],
  ['::ffff:7f00:1', /IPv4-mapped form of 127\.0\.0\.1/],
  ['::ffff:169.254.169.254', /IPv4-mapped form of 169\.254\.169\.254 \(link-local \(cloud metadata/],
  ['::ffff:10.0.0.1', /IPv4-mapped .*private/],
  ['::127.0.0.1', /IPv4-compatible form of 127\.0\.0\.1/],
  ['::a00:1', /IPv4-compatible form of 10\.0\.0\.1/],
  ['::ffff:0:127.0.0.1', /IPv4-translated form of 127\.0\.0\.1/],
  ['64:ff9b::127.0.0.1', /NAT64 form of 127\.0\.0\.1/],
  ['64:ff9b::a9fe:a9fe', /NAT64 form of 169\.254\.169\.254/],
  ['2002:7f00:1::1', /6to4 form of 127\.0\.0\.1/],
  ['2002:c0a8:101::', /6to4 form of 192\.168\.1\.1/],
  // not in global unicast 2000::/3, or not an address at all
  ['4000::1', /global unicast/],
  ['localhost', /not an IP address/],
  ['127.1', /not an IP address/],
  ['', /not an IP address/],
];

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '172.32.0.1', // just outside 172.16/12
  '100.128.0.1', // just outside 100.64/10
  '169.255.0.1',
  '198.20.0.1', // just outside 198.18/15
  '2606:4700:4700::1111',
  '2a00:1450:4001:81c::200e',
  '[2606:4700:4700::1111]',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

describe('isPublicAddress', () => {
  it.each(NON_PUBLIC)('refuses %s (%s)', (address, why) => {
    expect(isPublicAddress(address)).toBe(false);
    expect(nonPublicReason(address)).toMatch(why);
  });

  it.each(PUBLIC)('accepts %s', (address) => {
    expect(nonPublicReason(address)).toBeUndefined();
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('checkUrl', () => {
  const strict = { allowPrivateTargets: false };
  const local = { allowPrivateTargets: true };

  it.each([
    ['http://127.1/', '127.0.0.1'],
    ['https://127.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['https://0x7f.1/', '127.0.0.1'],
    ['https://0177.0.0.1/', '127.0.0.1'],
    ['http://[::1]/', '::1'],
    ['https://0/', '0.0.0.0'],
    ['https://0.0.0.0:8080/', '0.0.0.0'],
    ['https://[::]/', '::'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['https://[::ffff:7f00:1]:8443/hook', '::ffff:7f00:1'],
    ['https://169.254.169.254/latest', '169.254.169.254'],
    ['https://10.1.2.3/hook', '10.1.2.3'],
    ['https://[fd00:ec2::254]/', 'fd00:ec2::254'],
    ['https://localhost/hook', 'localhost'],
    ['https://api.localhost./hook', 'api.localhost.'],
  ])('refuses the non-public destination in %s', (url, shown) => {
    const result = checkUrl(url, strict);
    expect(result).toMatchObject({ ok: false, code: 'blocked' });
    expect(result.ok === false && result.reason).toContain(`destination ${shown} is `);
  });

  it('names the address class in the reason', () => {
    expect(checkUrl('https://169.254.169.254/latest', strict)).toMatchObject({ reason: expect.stringMatching(/link-local \(cloud metadata/) });
    expect(checkUrl('http://0x7f.1/', strict)).toMatchObject({ reason: 'destination 127.0.0.1 is loopback' });
  });

  it.each([
    ['https://user:pass@hooks.example.com/', /credentials/],
    ['https://user@hooks.example.com/', /credentials/],
    [`https://hooks.example.com/${'a'.repeat(2048)}`, /longer than 2048/],
    ['ftp://hooks.example.com/', /scheme ftp:/],
    ['javascript:alert(1)', /scheme javascript:/],
    ['file:///etc/passwd', /scheme file:/],
    ['http://hooks.example.com/', /plain http:/],
    ['not a url', /not a valid/],
    ['/relative/path', /not a valid/],
    ['', /not a valid/],
  ])('refuses the malformed or disallowed URL %s', (url, why) => {
    const result = checkUrl(url, strict);
    expect(result).toMatchObject({ ok: false, code: 'invalid_url' });
    expect(result.ok === false && result.reason).toMatch(why);
  });

  it('accepts public https destinations, by name or by literal', () => {
    for (const url of ['https://hooks.example.com/in?x=1', 'https://8.8.8.8/hook', 'https://[2606:4700:4700::1111]:8443/']) {
      const result = checkUrl(url, strict);
      expect(result.ok).toBe(true);
      expect(result.ok && result.url.href).toBe(new URL(url).href);
    }
  });

  it('accepts exactly 2048 characters', () => {
    const base = 'https://hooks.example.com/';
    expect(checkUrl(base + 'a'.repeat(2048 - base.length), strict).ok).toBe(true);
  });

  it('allows plain http and private destinations in local mode, still refusing credentials and other schemes', () => {
    expect(checkUrl('http://127.0.0.1:3000/hook', local)).toMatchObject({ ok: true });
    expect(checkUrl('http://localhost:3000/hook', local)).toMatchObject({ ok: true });
    expect(checkUrl('https://10.0.0.5/', local)).toMatchObject({ ok: true });
    expect(checkUrl('http://a:b@127.0.0.1/', local)).toMatchObject({ ok: false, code: 'invalid_url' });
    expect(checkUrl('ftp://127.0.0.1/', local)).toMatchObject({ ok: false, code: 'invalid_url' });
  });
});

describe('createGuardedLookup', () => {
  const resolvingTo =
    (...addresses: LookupAddress[]): ResolveAll =>
    (_hostname, _options, callback) =>
      callback(null, addresses);

  /** Calls the lookup and captures exactly what it passed to the callback. */
  const lookupWith = (lookup: ReturnType<typeof createGuardedLookup>, options: { all?: boolean; family?: number }) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family: unknown }>((resolve) =>
      lookup('hooks.example.com', options, (err, address, family) => resolve({ err, address, family })),
    );

  it('returns every address as an array when called with all: true', async () => {
    const lookup = createGuardedLookup({
      allowPrivateTargets: false,
      resolve: resolvingTo({ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }),
    });
    const { err, address } = await lookupWith(lookup, { all: true });
    expect(err).toBeNull();
    expect(address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
  });

  it('returns one address and its family in the callback form', async () => {
    const lookup = createGuardedLookup({ allowPrivateTargets: false, resolve: resolvingTo({ address: '2606:2800:220:1::1', family: 6 }) });
    const { err, address, family } = await lookupWith(lookup, {});
    expect(err).toBeNull();
    expect(address).toBe('2606:2800:220:1::1');
    expect(family).toBe(6);
  });

  it('passes the family hint to the resolver and always asks it for all addresses', async () => {
    const seen: unknown[] = [];
    const lookup = createGuardedLookup({
      allowPrivateTargets: false,
      resolve: (_hostname, options, callback) => {
        seen.push(options);
        callback(null, [{ address: '93.184.216.34', family: 4 }]);
      },
    });
    await lookupWith(lookup, { family: 4 });
    expect(seen).toEqual([{ family: 4, all: true }]);
  });

  it.each([
    [{ all: true }],
    [{}],
  ])('refuses a name if any resolved address is non-public (options %j)', async (options) => {
    const lookup = createGuardedLookup({
      allowPrivateTargets: false,
      resolve: resolvingTo({ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }),
    });
    const { err } = await lookupWith(lookup, options);
    expect(err).toBeInstanceOf(BlockedDestinationError);
    expect(err?.code).toBe('EBLOCKED');
    expect(err?.message).toMatch(/^blocked: destination hooks\.example\.com resolved to 169\.254\.169\.254, which is link-local/);
  });

  it('refuses IPv6 answers embedding a loopback IPv4 address', async () => {
    const lookup = createGuardedLookup({ allowPrivateTargets: false, resolve: resolvingTo({ address: '::ffff:127.0.0.1', family: 6 }) });
    const { err } = await lookupWith(lookup, { all: true });
    expect(err?.message).toMatch(/IPv4-mapped form of 127\.0\.0\.1 \(loopback\)/);
  });

  it('lets private answers through in local mode', async () => {
    const lookup = createGuardedLookup({ allowPrivateTargets: true, resolve: resolvingTo({ address: '127.0.0.1', family: 4 }) });
    expect(await lookupWith(lookup, { all: true })).toMatchObject({ err: null, address: [{ address: '127.0.0.1', family: 4 }] });
  });

  it('passes resolver errors through and treats an empty answer as not found', async () => {
    const failing = createGuardedLookup({
      allowPrivateTargets: false,
      resolve: (_hostname, _options, callback) => callback(Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }), []),
    });
    expect((await lookupWith(failing, { all: true })).err?.code).toBe('EAI_AGAIN');
    const empty = createGuardedLookup({ allowPrivateTargets: false, resolve: resolvingTo() });
    expect((await lookupWith(empty, {})).err?.code).toBe('ENOTFOUND');
  });

  it('refuses localhost through the system resolver (hosts file, no network)', async () => {
    const lookup = createGuardedLookup({ allowPrivateTargets: false });
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', { all: true }, (e) => resolve(e)));
    expect(err).toBeInstanceOf(BlockedDestinationError);
    expect(err?.message).toMatch(/loopback/);
  });
});
