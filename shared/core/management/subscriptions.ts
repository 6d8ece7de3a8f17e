/** A tenant's endpoints: create, list, change, delete, and the signing secret with its rotation. */
import { checkUrl } from '../engine/index.ts';
import type { Filter, Ordering, SigningAlgorithm, SigningSecret, Subscription } from '../platform/domain.ts';
import { HookpostError, SubscriptionChangedError } from '../platform/errors.ts';
import { newSigningSecret, newSubscriptionId } from '../platform/ids.ts';
import { newEd25519SigningKey, publicKeyOf, SIGNING_KEY_PREFIX } from '../engine/index.ts';
import type { Clock, Page, TenantRegistry } from '../platform/ports.ts';
import type { SubscriptionDirectory } from '../platform/subscription-directory.ts';

/** How long a rotated-out secret keeps signing next to the new one (receivers roll over meanwhile). */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;
/** Rotating again and again within the overlap keeps at most this many secrets signing. */
export const MAX_SIGNING_SECRETS = 5;

export interface NewSubscription {
  url: string;
  eventTypes: string[];
  description: string;
  headers: Record<string, string>;
  enabled: boolean;
  filter?: Filter;
  retrySchedule?: number[];
  timeoutMs?: number;
  signingAlgorithm?: SigningAlgorithm;
  rateLimit?: number;
  ordering?: Ordering;
}

/** What a PATCH may change; `null` takes an endpoint's own filter, schedule or deadline away. The signing algorithm is fixed at creation. */
export type SubscriptionPatch = Partial<Omit<NewSubscription, 'signingAlgorithm' | 'filter' | 'retrySchedule' | 'timeoutMs' | 'rateLimit'>> & {
  rateLimit?: number | null;
  filter?: Filter | null;
  retrySchedule?: number[] | null;
  timeoutMs?: number | null;
};

/** `fifo` is stored; `none`, the default, is the field's absence. */
const withOrdering = (ordering: Ordering | undefined): Pick<Subscription, 'ordering'> => (ordering === 'fifo' ? { ordering } : {});

/** What a receiver verifies with: the HMAC secret itself, or the ed25519 public key (the signing key never leaves). */
export type Credential = { secret: string } | { publicKey: string };

export const credentialOf = (secret: string): Credential =>
  secret.startsWith(SIGNING_KEY_PREFIX) ? { publicKey: publicKeyOf(secret) } : { secret };

const newSecretFor = (algorithm: SigningAlgorithm | undefined): string =>
  algorithm === 'ed25519' ? newEd25519SigningKey() : newSigningSecret();

/** What the API shows of a subscription: never its secrets (those have their own route). */
export type SubscriptionView = Omit<Subscription, 'secrets'>;

export function subscriptionView(subscription: Subscription): SubscriptionView {
  const { secrets: _secrets, ...view } = subscription;
  return view;
}

/** New secret first; unexpired old ones sign until `expiresAt`; expired ones are dropped. */
export function rotatedSecrets(secrets: SigningSecret[], newSecret: string, nowMs: number): SigningSecret[] {
  const overlapEnds = new Date(nowMs + SECRET_OVERLAP_MS).toISOString();
  const kept = secrets
    .filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > nowMs)
    .map((s) => (s.expiresAt === undefined ? { secret: s.secret, expiresAt: overlapEnds } : s));
  return [{ secret: newSecret }, ...kept].slice(0, MAX_SIGNING_SECRETS);
}

export interface SubscriptionService {
  create(tenant: string, input: NewSubscription): Promise<{ subscription: Subscription; credential: Credential }>;
  /** Creation order (ids are ULIDs); `cursor` is the one the previous page returned. */
  list(tenant: string, options: { limit: number; cursor?: string }): Promise<Page<SubscriptionView>>;
  /** 404 unless the subscription exists under this tenant. */
  get(tenant: string, id: string): Promise<Subscription>;
  update(tenant: string, id: string, patch: SubscriptionPatch): Promise<Subscription>;
  delete(tenant: string, id: string): Promise<void>;
  /** What verifies the newest signature: the secret, or the public key. */
  currentCredential(tenant: string, id: string): Promise<Credential | undefined>;
  /** A new secret (or key pair) of the same kind; the old ones keep signing for SECRET_OVERLAP_MS. */
  rotateSecret(tenant: string, id: string): Promise<Credential>;
}

function decodeListCursor(cursor: string | undefined): string {
  if (!cursor) return '';
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^sub_[0-9A-Z]{26}$/.test(id)) throw new HookpostError('malformed_request', 'cursor is not valid for this list');
  return id;
}

export function createSubscriptionService(deps: {
  directory: SubscriptionDirectory;
  clock: Clock;
  allowPrivateTargets: boolean;
  maxPerTenant: number;
  /** Told of each tenant's first endpoint and of its last one going (GET /v1/tenants). */
  tenants: Pick<TenantRegistry, 'add' | 'removeIfEmpty'>;
}): SubscriptionService {
  const { directory, clock } = deps;
  /** Now, or a millisecond past `previous` when the clock has not moved on: every write gets a new version. */
  const laterThan = (previous: string) => new Date(Math.max(clock.now(), Date.parse(previous) + 1)).toISOString();

  function validDestination(url: string): string {
    const checked = checkUrl(url, { allowPrivateTargets: deps.allowPrivateTargets });
    if (!checked.ok) throw new HookpostError('validation_failed', 'url is not an allowed destination', [{ path: 'url', message: checked.reason }]);
    return checked.url.toString();
  }

  /** Writes over the version read; a change in between is a 409 (or a 404 when it was deleted). */
  async function replace(current: Subscription, next: Subscription): Promise<void> {
    try {
      await directory.put(next, current.updatedAt);
    } catch (error) {
      if (!(error instanceof SubscriptionChangedError)) throw error;
      await get(current.tenant, current.id); // 404 if it is gone
      throw new HookpostError('conflict', `subscription ${current.id} changed while this request ran (disabled, rotated or edited); read it again and retry`);
    }
  }

  async function get(tenant: string, id: string): Promise<Subscription> {
    const subscription = id.startsWith('sub_') ? await directory.get(tenant, id) : undefined;
    if (!subscription) throw new HookpostError('not_found', `subscription ${id} not found for tenant ${tenant}`);
    return subscription;
  }

  return {
    async create(tenant, input) {
      const url = validDestination(input.url);
      // Each endpoint multiplies every event of the tenant: a cap keeps one key from fanning out without bound.
      const existing = await directory.listByTenant(tenant);
      if (existing.length >= deps.maxPerTenant) {
        throw new HookpostError('validation_failed', `tenant ${tenant} already has ${existing.length} subscriptions; the limit is ${deps.maxPerTenant}`, [
          { message: 'delete one first, or raise HOOKPOST_MAX_SUBSCRIPTIONS_PER_TENANT' },
        ]);
      }
      const nowMs = clock.now();
      const now = new Date(nowMs).toISOString();
      const secret = newSecretFor(input.signingAlgorithm);
      const { ordering, ...fields } = input;
      const subscription: Subscription = {
        id: newSubscriptionId(nowMs),
        tenant,
        ...fields,
        ...withOrdering(ordering),
        url,
        secrets: [{ secret }],
        createdAt: now,
        updatedAt: now,
      };
      await directory.put(subscription);
      await deps.tenants.add(tenant, now);
      return { subscription, credential: credentialOf(secret) };
    },

    async list(tenant, { limit, cursor }) {
      const after = decodeListCursor(cursor);
      // A tenant has few endpoints: read them all, page in memory.
      const all = (await directory.listByTenant(tenant)).sort((a, b) => a.id.localeCompare(b.id));
      const rest = all.filter((subscription) => subscription.id > after);
      const page = rest.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(subscriptionView),
        ...(rest.length > limit && last ? { nextCursor: Buffer.from(last.id).toString('base64url') } : {}),
      };
    },

    get,

    async update(tenant, id, patch) {
      const url = patch.url === undefined ? undefined : validDestination(patch.url);
      const current = await get(tenant, id);
      const { disabledReason, slowUntil, ...rest } = current;
      const enabled = patch.enabled ?? current.enabled;
      const { filter, retrySchedule, timeoutMs, rateLimit, ordering, ...plain } = patch;
      const updated: Subscription = {
        ...rest,
        // A new URL is a new endpoint: it starts on the main lane.
        ...(slowUntil !== undefined && (url === undefined || url === current.url) ? { slowUntil } : {}),
        ...plain,
        ...(url === undefined ? {} : { url }),
        enabled,
        // Turning an endpoint back on clears why it was turned off.
        ...(!enabled && patch.enabled === undefined && disabledReason !== undefined ? { disabledReason } : {}),
        updatedAt: laterThan(current.updatedAt),
      };
      // null takes the endpoint's own setting away; undefined leaves it as it was.
      if (filter === null) delete updated.filter;
      else if (filter !== undefined) updated.filter = filter;
      if (retrySchedule === null) delete updated.retrySchedule;
      else if (retrySchedule !== undefined) updated.retrySchedule = retrySchedule;
      if (timeoutMs === null) delete updated.timeoutMs;
      else if (timeoutMs !== undefined) updated.timeoutMs = timeoutMs;
      if (rateLimit === null) delete updated.rateLimit;
      else if (rateLimit !== undefined) updated.rateLimit = rateLimit;
      if (ordering === 'none') delete updated.ordering;
      else if (ordering !== undefined) Object.assign(updated, withOrdering(ordering));
      await replace(current, updated);
      return updated;
    },

    async delete(tenant, id) {
      const subscription = await get(tenant, id);
      await directory.delete(subscription.tenant, subscription.id);
      await deps.tenants.removeIfEmpty(subscription.tenant);
    },

    async currentCredential(tenant, id) {
      const subscription = await get(tenant, id);
      const current = (subscription.secrets.find((s) => s.expiresAt === undefined) ?? subscription.secrets[0])?.secret;
      return current === undefined ? undefined : credentialOf(current);
    },

    async rotateSecret(tenant, id) {
      const subscription = await get(tenant, id);
      const secret = newSecretFor(subscription.signingAlgorithm);
      const nowMs = clock.now();
      await replace(subscription, {
        ...subscription,
        secrets: rotatedSecrets(subscription.secrets, secret, nowMs),
        updatedAt: laterThan(subscription.updatedAt),
      });
      return credentialOf(secret);
    },
  };
}
