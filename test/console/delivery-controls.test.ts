/**
 * The per-endpoint delivery controls (#11) in the console, in Debian's Chromium against a local stack:
 * an endpoint made through the form with a filter, its own schedule, a rate limit and ed25519 signing; its detail
 * shows them and the whpk_ public key; only events the filter matches reach a real receiver, signed
 * v1a with that key; the server's refusal of a bad operator is shown next to the filter field; edit
 * clears a control back to the global setting and switches FIFO ordering; axe-core on the changed screens.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureConsoleBuilt } from '../../shared/local/console-build.ts';
import { type ApiTestContext, startApiTest } from '../api/setup.ts';
import { waitFor } from '../helpers/api.ts';
import { type RecordedRequest, verifiesWith } from '../helpers/receiver.ts';
import { waitForIdle } from '../helpers/stack.ts';
import { seriousViolations, signIn, launch } from './browser.ts';

vi.setConfig({ testTimeout: 60_000 });

let t: ApiTestContext;
let browser: Browser;

beforeAll(async () => {
  [t, browser] = await Promise.all([startApiTest(), launch(), ensureConsoleBuilt()]).then(([a, b]) => [a, b] as const);
  const put = await t.admin('PUT', '/v1/event-types/payment.received', { description: 'A payment came in', example: { amount: 120, country: 'DE' } });
  expect(put.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function openForm(page: Page, tenant: string): Promise<void> {
  await page.evaluate((h) => {
    location.hash = h;
  }, `#/endpoints/${tenant}`);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.getByLabel('URL', { exact: true }).waitFor();
}

describe('delivery controls in the endpoint form and detail', () => {
  it('creates a filtered, own-schedule, FIFO ed25519 endpoint; only matching events arrive, signed v1a with the shown public key', async () => {
    const receiver = await t.receiver();
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await openForm(page, 'shop');
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/payments`);
    await page.getByRole('checkbox', { name: 'payment.received' }).check();
    await page.getByLabel('Filter', { exact: true }).fill('{"data": {"amount": {"$gte": 100}, "country": {"$in": ["DE", "FR"]}}}');
    await page.getByLabel('Retry schedule (seconds)').fill('5, 30, 300');
    await page.getByLabel('Timeout (ms)').fill('4000');
    await page.getByLabel('Rate limit (per second)').fill('7');
    await page.getByLabel('Signing', { exact: true }).selectOption('ed25519');
    await page.getByLabel('Ordering', { exact: true }).selectOption('fifo');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('link', { name: `${receiver.url}/payments` }).click();

    const [sub] = (await t.admin('GET', '/v1/tenants/shop/subscriptions')).body.items;
    expect(sub).toMatchObject({
      filter: { data: { amount: { $gte: 100 }, country: { $in: ['DE', 'FR'] } } },
      retrySchedule: [5, 30, 300],
      timeoutMs: 4000,
      rateLimit: 7,
      signingAlgorithm: 'ed25519',
      ordering: 'fifo',
    });
    await page.getByTestId('detail-filter').getByText('"$gte": 100').waitFor();
    expect(await page.getByTestId('detail-schedule').textContent()).toBe('5, 30, 300 s');
    expect(await page.getByTestId('detail-timeout').textContent()).toBe('4,000 ms');
    expect(await page.getByTestId('detail-rate-limit').textContent()).toBe('7 per second');
    expect(await page.getByTestId('detail-signing').textContent()).toBe('Ed25519 (public key)');
    expect(await page.getByTestId('detail-ordering').textContent()).toBe('FIFO (one at a time, in publish order)');
    await page.getByRole('heading', { name: 'Public key' }).waitFor();
    await page.getByText('verify each webhook\'s v1a signature with this public key').waitFor();
    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByRole('button', { name: 'Copy public key' }).waitFor();
    const publicKey = (await page.getByTestId('secret').textContent()) ?? '';
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect((await t.admin('GET', `/v1/tenants/shop/subscriptions/${sub.id}/secret`)).body).toEqual({ publicKey });
    expect(await seriousViolations(page)).toEqual([]);

    const small = await t.admin('POST', '/v1/events', { type: 'payment.received', tenant: 'shop', data: { amount: 5, country: 'DE' } });
    const big = await t.admin('POST', '/v1/events', { type: 'payment.received', tenant: 'shop', data: { amount: 250, country: 'FR' } });
    expect([small.status, big.status]).toEqual([202, 202]);
    await waitFor('the matching event at the receiver', () => receiver.requests.length >= 1);
    await waitForIdle(t.stack);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([big.body.id]);
    const delivered = receiver.requests[0] as RecordedRequest;
    expect(String(delivered.headers['webhook-signature'])).toMatch(/^v1a,/);
    expect(verifiesWith(publicKey, delivered)).toBe(true);
    // Delivered by the FIFO consumer, as the form asked.
    expect((await t.admin('GET', `/v1/tenants/shop/subscriptions/${sub.id}/attempts`)).body.items.map((a: { lane?: string }) => a.lane)).toEqual(['fifo']);

    // Rotation shows the new public key, and it is the one the API answers from now on.
    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click();
    await page.getByText('New key pair made').waitFor();
    const rotated = (await t.admin('GET', `/v1/tenants/shop/subscriptions/${sub.id}/secret`)).body.publicKey;
    expect(rotated).toMatch(/^whpk_/);
    expect(rotated).not.toBe(publicKey);
    await page.getByTestId('secret').filter({ hasText: rotated }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it("offers Hookpost's own event types only to a reserved tenant's endpoints, where they are published", async () => {
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await openForm(page, 'shop');
    await page.getByRole('checkbox', { name: 'payment.received' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'hookpost.message.exhausted' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await openForm(page, '_operations');
    await page.getByRole('checkbox', { name: 'hookpost.message.exhausted' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the server's refusal of an unknown filter operator next to the field, naming its path; bad JSON is caught before sending", async () => {
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await openForm(page, 'refused');
    await page.getByLabel('URL', { exact: true }).fill('http://127.0.0.1:9/refused');
    await page.getByRole('checkbox', { name: 'payment.received' }).check();
    const filter = page.getByLabel('Filter', { exact: true });
    await filter.fill('{"data": {"amount": ');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.locator('#ep-filter-error').filter({ hasText: 'The filter is not valid JSON.' }).waitFor();

    await filter.fill('{"data": {"amount": {"$between": [1, 2]}}}');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const fieldError = page.locator('#ep-filter-error');
    await fieldError.filter({ hasText: 'filter.data.amount.$between' }).waitFor();
    expect(await filter.getAttribute('aria-describedby')).toContain('ep-filter-error');
    expect(await filter.getAttribute('aria-invalid')).toBe('true');
    expect((await t.admin('GET', '/v1/tenants/refused/subscriptions')).body.items).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors.filter((e) => !/422/.test(e))).toEqual([]);
    await context.close();
  });

  it('edit shows the controls and clearing a field sends null: the endpoint goes back to the global setting', async () => {
    const receiver = await t.receiver();
    const made = await t.admin('POST', '/v1/tenants/edited/subscriptions', {
      url: `${receiver.url}/edited`,
      eventTypes: ['payment.received'],
      filter: { type: 'payment.received' },
      retrySchedule: [10, 60],
      timeoutMs: 5000,
      rateLimit: 20,
      ordering: 'fifo',
    });
    expect(made.status).toBe(201);
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await page.evaluate((id) => {
      location.hash = `#/endpoints/edited/${id}`;
    }, made.body.id);
    expect(await page.getByTestId('detail-signing').textContent()).toBe('HMAC-SHA256 (shared secret)');
    await page.getByRole('heading', { name: 'Signing secret' }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    expect(await page.getByLabel('Retry schedule (seconds)').inputValue()).toBe('10, 60');
    expect(await page.getByLabel('Timeout (ms)').inputValue()).toBe('5000');
    expect(await page.getByLabel('Rate limit (per second)').inputValue()).toBe('20');
    expect(JSON.parse(await page.getByLabel('Filter', { exact: true }).inputValue())).toEqual({ type: 'payment.received' });
    expect(await page.getByLabel('Signing', { exact: true }).count()).toBe(0); // fixed at creation
    expect(await page.getByLabel('Ordering', { exact: true }).inputValue()).toBe('fifo');
    await page.getByLabel('Ordering', { exact: true }).selectOption('none');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Filter', { exact: true }).fill('');
    await page.getByLabel('Timeout (ms)').fill('');
    await page.getByLabel('Rate limit (per second)').fill('');
    await page.getByLabel('Retry schedule (seconds)').fill('3');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('detail-schedule').filter({ hasText: '3 s' }).waitFor();
    expect(await page.getByTestId('detail-filter').textContent()).toBe('None: every event of its types');
    expect(await page.getByTestId('detail-timeout').textContent()).toBe('Global setting');
    expect(await page.getByTestId('detail-rate-limit').textContent()).toBe('Unlimited');
    expect(await page.getByTestId('detail-ordering').textContent()).toBe('None (in parallel)');
    const after = (await t.admin('GET', `/v1/tenants/edited/subscriptions/${made.body.id}`)).body;
    expect(after.retrySchedule).toEqual([3]);
    expect(after).not.toHaveProperty('filter');
    expect(after).not.toHaveProperty('timeoutMs');
    expect(after).not.toHaveProperty('rateLimit');
    expect(after).not.toHaveProperty('ordering');
    expect(errors).toEqual([]);
    await context.close();
  });
});
