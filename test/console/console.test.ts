/**
 * The console and the tenant portal in Debian's Chromium (playwright-core) against a local stack:
 * the Multisite and Logto flows, portal isolation (other tenants, forged and expired links, the XSS
 * probe), axe-core on every screen, and all five languages with no missing message.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signPortalToken } from '#shared/core/management/portal-tokens.ts';
import { ensureConsoleBuilt } from '../../shared/local/console-build.ts';
import { waitFor } from '../helpers/api.ts';
import { type Receiver, type ScriptedResponse, startReceiver } from '../helpers/receiver.ts';
import { type ApiTestContext, startApiTest } from '../api/setup.ts';
import { LANGUAGES, launch, messages as catalogue, open, seriousViolations, signIn } from './browser.ts';

// A browser flow waits on several bounded conditions in turn; on a loaded 2-core machine that can pass 30 s.
vi.setConfig({ testTimeout: 60_000 });

const FRAMER = 'https://app.example.com';

let t: ApiTestContext;
let browser: Browser;
/** Pages of the tenant's own app that frame the portal: one on an allowed origin, one not. */
let embedder: { allowed: Receiver; other: Receiver; portalUrl: string };

const settingsPage = (): ScriptedResponse => ({
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html><html lang="en"><title>Settings</title><iframe title="Webhooks" src="${embedder.portalUrl}" width="1100" height="700"></iframe></html>`,
});

beforeAll(async () => {
  const [allowed, other] = await Promise.all([startReceiver({ lifetimeMs: 120_000, defaultResponse: settingsPage }), startReceiver({ lifetimeMs: 120_000, defaultResponse: settingsPage })]);
  embedder = { allowed, other, portalUrl: '' };
  [t, browser] = await Promise.all([startApiTest({ portalFrameAncestors: [FRAMER, allowed.url] }), launch(), ensureConsoleBuilt()]).then(([a, b]) => [a, b] as const);
  for (const [type, description, example] of [
    ['site.created', 'A site was created (Ultimate Multisite)', { id: 's_1', domain: 'example.com' }],
    ['site.deleted', 'A site was deleted', { id: 's_1' }],
    ['user.created', 'A user signed up (Logto)', { id: 'u_1', email: 'ada@example.com' }],
  ] as const) {
    const put = await t.admin('PUT', `/v1/event-types/${type}`, { description, example, schema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } });
    expect(put.status).toBe(201);
  }
  // A tenant every screen test can show: one endpoint with a delivered test event.
  const shown = await t.admin('POST', '/v1/tenants/shown/subscriptions', { url: `${(await t.receiver()).url}/shown`, eventTypes: ['site.*'], description: 'Shown on every screen' });
  expect((await t.admin('POST', `/v1/tenants/shown/subscriptions/${shown.body.id}/test`, { type: 'site.created' })).status).toBe(200);
  // And a delivery that will fail for good, so the dead-letter screen has a row by the time it is checked.
  await t.admin('POST', '/v1/tenants/dead/subscriptions', { url: 'http://127.0.0.1:9/refused', eventTypes: ['*'] });
  await t.admin('POST', '/v1/events', { type: 'site.deleted', tenant: 'dead', data: { id: 's_9' } });
}, 60_000);

afterAll(async () => {
  await Promise.all([embedder?.allowed.close(), embedder?.other.close()]);
  await browser?.close();
  await t?.stop();
});

/** Clicks Refresh in the attempt log until it shows `rows` rows (bounded). */
async function logRows(page: Page, rows: number): Promise<void> {
  await waitFor(`${rows} rows in the attempt log`, async () => {
    await page.locator('#log-title').locator('xpath=../..').getByRole('button', { name: catalogue('en')['common.refresh'] }).click();
    await page.waitForLoadState('networkidle');
    return (await page.locator('table.log > tbody > tr:not(.details)').count()) >= rows;
  }, 15_000);
}

describe('sign-in and headers', () => {
  it('a wrong key gets a clear message; a right one signs in, kept in sessionStorage only', async () => {
    const { page, context, errors } = await open(browser, `${t.stack.url}/console`);
    await page.getByLabel('API key').fill('hp_not_a_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That API key was not accepted' }).waitFor();
    await page.getByLabel('API key').fill(t.stack.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    for (const name of ['Endpoints', 'Event types', 'Dead letters', 'API keys']) await page.getByRole('link', { name, exact: true }).waitFor();
    const storage = await page.evaluate(() => ({ session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage), url: location.href }));
    expect(storage.session).toContain(t.stack.adminKey);
    expect(storage.local).not.toContain(t.stack.adminKey);
    expect(storage.url).not.toContain(t.stack.adminKey);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('serves the page with a strict CSP: console never framed, portal only by the listed origin; assets cached for good', async () => {
    const consolePage = await fetch(`${t.stack.url}/console`, { headers: { 'accept-encoding': 'gzip' } });
    const csp = consolePage.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(consolePage.headers.get('x-frame-options')).toBe('DENY');
    expect(consolePage.headers.get('cache-control')).toBe('no-cache');
    const html = await consolePage.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    const portal = await fetch(`${t.stack.url}/console/portal`);
    expect(portal.headers.get('content-security-policy')).toContain(`frame-ancestors ${FRAMER}`);
    expect(portal.headers.get('x-frame-options')).toBeNull();
    const script = /src="(\/console\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(`${t.stack.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect((await fetch(`${t.stack.url}/console/assets/nope.js`)).status).toBe(404);
  });
});

describe('the Multisite flow', () => {
  it('adds an endpoint through the form, sends a test event (200 shows), and a published event appears in the attempt log', async () => {
    const receiver = await t.receiver();
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await page.getByLabel('Tenant').fill('multisite');
    await page.getByRole('button', { name: 'Show endpoints' }).click();
    await page.getByText('No endpoints yet').waitFor();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/multisite`);
    await page.getByLabel('Description', { exact: true }).fill('Ultimate Multisite hook');
    await page.getByRole('checkbox', { name: 'site.created' }).check();
    await page.getByLabel('Other event types or patterns').fill('user.*');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('link', { name: `${receiver.url}/multisite` }).click();

    await page.getByLabel('Event type').selectOption('site.created');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByTestId('test-result').filter({ hasText: 'Status 200' }).waitFor();
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({ type: 'site.created', data: { id: 's_1', domain: 'example.com' } });

    const published = await t.admin('POST', '/v1/events', { type: 'site.created', tenant: 'multisite', data: { id: 's_42' } });
    expect(published.status).toBe(202);
    await waitFor('the published event at the receiver', () => receiver.requests.length >= 2);
    await logRows(page, 2);
    // Newest first: the published event's row comes before the test event's.
    await page.locator('table.log > tbody').first().getByRole('button', { name: 'Details' }).click();
    await page.locator('tr.details').getByText(published.body.id).waitFor();
    await page.locator('tr.details').getByText('"s_42"').or(page.locator('tr.details').getByText('only for messages with a failed delivery')).first().waitFor();
    const subs = await t.admin('GET', '/v1/tenants/multisite/subscriptions');
    expect(subs.body.items).toMatchObject([{ url: `${receiver.url}/multisite`, description: 'Ultimate Multisite hook', eventTypes: ['site.created', 'user.*'], enabled: true }]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the Logto flow', () => {
  it('with a tenant key: reveals the secret, rotates it, adds a custom header, reads recent requests', async () => {
    const receiver = await t.receiver();
    const made = await t.admin('POST', '/v1/tenants/logto/subscriptions', { url: `${receiver.url}/logto`, eventTypes: ['user.created'], description: 'Logto webhook' });
    const key = (await t.admin('POST', '/v1/api-keys', { name: 'logto console', scope: 'tenant', tenant: 'logto' })).body.key;
    const { page, context, errors } = await signIn(browser, t.stack.url, key);
    await page.getByText('Signed in for tenant logto').waitFor();
    expect(await page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await page.getByRole('link', { name: `${receiver.url}/logto` }).click();

    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.getByTestId('secret').filter({ hasText: made.body.secret }).waitFor();
    await page.getByText('keeps signing next to it for 24 hours').waitFor();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByText('New secret made').waitFor();
    const rotated = (await t.admin('GET', `/v1/tenants/logto/subscriptions/${made.body.id}/secret`)).body.secret;
    expect(rotated).not.toBe(made.body.secret);
    await page.getByTestId('secret').filter({ hasText: rotated }).waitFor();

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header 1 name').fill('x-logto-hook');
    await page.getByLabel('Header 1 value').fill('hook_123');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('x-logto-hook: hook_123').waitFor();

    await t.admin('POST', '/v1/events', { type: 'user.created', tenant: 'logto', data: { id: 'u_7' } });
    await waitFor('the event at the Logto receiver', () => receiver.requests.length > 0);
    const delivered = receiver.requests[0]!;
    expect(delivered.headers['x-logto-hook']).toBe('hook_123');
    expect(String(delivered.headers['webhook-signature']).split(' ')).toHaveLength(2); // new and old secret during the overlap
    await logRows(page, 1);
    const row = page.locator('table.log > tbody').first();
    await row.getByText('Succeeded · 200').waitFor();
    await row.getByRole('button', { name: 'Details' }).click();
    await row.locator('tr.details pre').first().filter({ hasText: 'ok' }).waitFor();
    expect(await row.getByRole('button', { name: 'Details' }).getAttribute('aria-expanded')).toBe('true');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the attempt log', () => {
  it('filters by status, pages, shows a kept payload and resends it; the list shows why an endpoint is disabled', async () => {
    const receiver = await t.receiver({ status: 500, body: 'nope' });
    const made = await t.admin('POST', '/v1/tenants/paging/subscriptions', { url: `${receiver.url}/paging`, eventTypes: ['site.*'] });
    const published = await t.admin('POST', '/v1/events', { type: 'site.created', tenant: 'paging', data: { id: 's_77' } });
    await waitFor('the failed first attempt and its successful retry', () => receiver.requests.length >= 2);
    for (let i = 0; i < 10; i += 1) await t.admin('POST', `/v1/tenants/paging/subscriptions/${made.body.id}/test`, { type: 'site.deleted' });
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await page.evaluate((id) => {
      location.hash = `#/endpoints/paging/${id}`;
    }, made.body.id);
    const rows = page.locator('table.log > tbody > tr:not(.details)');
    await waitFor('a full first page', async () => (await rows.count()) === 10);
    await page.getByRole('button', { name: 'Next page' }).click();
    await waitFor('the second page', async () => (await rows.count()) === 2);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await waitFor('the first page again', async () => (await rows.count()) === 10);

    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await waitFor('only the failed attempt', async () => (await rows.count()) === 1);
    await rows.getByText('Failed · 500').waitFor();
    await page.getByRole('button', { name: 'Details' }).click();
    await page.locator('tr.details').getByText('"s_77"').waitFor();
    await page.locator('tr.details').getByText('nope').waitFor();
    await page.getByRole('button', { name: 'Resend' }).click();
    await page.getByRole('status').filter({ hasText: 'Queued to send again.' }).waitFor();
    await waitFor('the resent message', () => receiver.requests.filter((r) => r.headers['webhook-id'] === published.body.id).length >= 3);

    await t.stack.runtime.services.directory.disable('paging', made.body.id, 'endpoint answered 410 Gone', new Date().toISOString());
    await page.evaluate(() => {
      location.hash = '#/endpoints/paging';
    });
    await page.getByText('Disabled: endpoint answered 410 Gone').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the tenant portal', () => {
  const probe = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  let portalUrl: string;

  beforeAll(async () => {
    const mine = await t.admin('POST', '/v1/tenants/portal-a/subscriptions', { url: 'http://127.0.0.1:9/portal-a', eventTypes: ['site.created'], description: probe });
    expect(mine.status).toBe(201);
    await t.admin('POST', '/v1/tenants/portal-b/subscriptions', { url: 'http://127.0.0.1:9/portal-b-private', eventTypes: ['*'], description: 'globex private' });
    portalUrl = (await t.admin('POST', '/v1/tenants/portal-a/portal-sessions', { expiresInSeconds: 600 })).body.url;
  });

  it("shows its tenant's endpoints only, keeps the token out of the address bar, and renders the XSS probe as text", async () => {
    const { page, context, errors } = await open(browser, portalUrl);
    await page.getByText('Webhook settings for portal-a').waitFor();
    await page.getByText(probe, { exact: true }).waitFor();
    const state = await page.evaluate(() => ({
      xss: (window as { __xss?: number }).__xss,
      images: document.querySelectorAll('main img').length,
      scripts: document.querySelectorAll('main script').length,
      href: location.href,
      session: JSON.stringify(sessionStorage),
      local: JSON.stringify(localStorage) + document.cookie,
      text: document.body.innerText,
    }));
    expect(state.xss).toBeUndefined();
    expect(state.images).toBe(0);
    expect(state.scripts).toBe(0);
    expect(state.href).not.toContain('hpp_');
    // Kept for the tab's life (a reload keeps the portal open: portal-reload.test.ts), nowhere else.
    expect(state.session).toContain('hpp_');
    expect(state.local).not.toContain('hpp_');
    expect(state.text).not.toContain('portal-b');
    expect(await page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    // Another tenant in the address bar changes nothing: the portal's tenant is the token's.
    await page.evaluate(() => {
      location.hash = '#/endpoints/portal-b';
    });
    await page.getByText(probe, { exact: true }).waitFor();
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('portal-b-private');
    await page.evaluate(() => {
      location.hash = '#/api-keys';
    });
    await page.getByText('There is nothing here.').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('can be framed by an allowed origin and by no other', async () => {
    embedder.portalUrl = (await t.admin('POST', '/v1/tenants/portal-a/portal-sessions', {})).body.url;
    const framed = await open(browser, embedder.allowed.url);
    await framed.page.frameLocator('iframe').getByText('Webhook settings for portal-a').waitFor();
    await framed.page.frameLocator('iframe').getByText(probe, { exact: true }).waitFor();
    expect(framed.errors).toEqual([]);
    await framed.context.close();

    const refused = await open(browser, embedder.other.url);
    await waitFor('the refused frame', () => refused.page.frames().some((frame) => frame.url().startsWith('chrome-error:')), 10_000);
    expect(await refused.page.frameLocator('iframe').getByText('portal-a').count()).toBe(0);
    await refused.context.close();
  });

  it('a forged, an expired and a missing token show an error and nothing else', async () => {
    const [base, token = ''] = portalUrl.split('#token=');
    const [body, signature = ''] = token.slice(4).split('.');
    const forgedBody = Buffer.from(JSON.stringify({ t: 'portal-b', s: 'tenant', exp: 9_999_999_999 })).toString('base64url');
    for (const bad of [
      `${base}#token=hpp_${forgedBody}.${signature}`,
      `${base}#token=hpp_${body}.${signature.slice(0, -3)}xyz`,
      `${base}#token=${signPortalToken(t.stack.portalSigningKey, 'portal-a', Date.now() - 1_000)}`,
      `${base}`,
    ]) {
      const { page, context } = await open(browser, bad);
      await page.getByRole('alert').filter({ hasText: 'This link is not valid or has expired' }).waitFor();
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).not.toContain('portal-a');
      expect(text).not.toContain('portal-b');
      expect(await page.locator('nav, table, form').count()).toBe(0);
      await context.close();
    }
  });
});

describe('admin screens', () => {
  it('event types: create, edit and delete through the forms (with confirmation)', async () => {
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await page.getByRole('link', { name: 'Event types', exact: true }).click();
    // Hookpost's own operational types are listed, but offer no edit or delete (the API refuses both).
    await page.getByRole('heading', { name: 'hookpost.endpoint.disabled' }).waitFor();
    expect(await page.getByRole('button', { name: /^(Edit|Delete) hookpost\./ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Add event type' }).click();
    await page.getByLabel('Name').fill('invoice.paid');
    await page.getByLabel('Description').fill('An invoice was paid');
    await page.getByLabel('JSON Schema').fill('{"type":"object","properties":{"amount":{"type":"number"}},"required":["amount"]}');
    await page.getByLabel('Example payload').fill('{"amount": 12}');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'invoice.paid' }).waitFor();
    expect((await t.admin('GET', '/v1/event-types/invoice.paid')).body).toMatchObject({ description: 'An invoice was paid', example: { amount: 12 } });

    await page.getByRole('button', { name: 'Edit invoice.paid' }).click();
    await page.getByLabel('Example payload').fill('{"amount": "twelve"}');
    await page.getByRole('button', { name: 'Save' }).click();
    // The refusal is shown at the example, naming the member the schema refused.
    await page.locator('#type-example-error').filter({ hasText: 'example.amount' }).waitFor();
    expect(await page.getByLabel('Example payload').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Example payload').fill('{"amount": 13}');
    await page.getByRole('button', { name: 'Save' }).click();
    // Its example and schema are collapsed under the name: opened, the new example shows.
    const invoice = page.locator('ul.types > li').filter({ has: page.getByRole('heading', { name: 'invoice.paid' }) });
    await invoice.locator('summary').click();
    await invoice.getByText('"amount": 13').waitFor();

    await page.getByRole('button', { name: 'Delete invoice.paid' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await waitFor('invoice.paid gone', async () => (await page.getByRole('heading', { name: 'invoice.paid' }).count()) === 0);
    expect((await t.admin('GET', '/v1/event-types/invoice.paid')).status).toBe(404);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('API keys: a new key is shown once and works; deleting it (confirmed) stops it', async () => {
    const { page, context } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    await page.getByLabel('Name').fill('acme backend');
    await page.getByLabel('Scope').selectOption('tenant');
    await page.getByLabel('Tenant').fill('acme');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key').textContent()) ?? '';
    expect(key).toMatch(/^hp_/);
    expect((await t.as(key)('GET', '/v1/tenants/acme/subscriptions')).status).toBe(200);
    await page.getByRole('button', { name: 'Delete key acme backend' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await waitFor('the key gone from the list', async () => (await page.getByRole('button', { name: 'Delete key acme backend' }).count()) === 0);
    expect((await t.as(key)('GET', '/v1/tenants/acme/subscriptions')).status).toBe(401);
    await context.close();
  });

  it('tenants list endpoint counts; a portal link made in the console opens that portal', async () => {
    const { page, context } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await page.getByRole('link', { name: 'Tenants', exact: true }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'shown', exact: true }) });
    await row.getByRole('cell', { name: '1', exact: true }).waitFor();
    await row.getByRole('link', { name: 'Portal link' }).click();
    expect(await page.getByLabel('Tenant').inputValue()).toBe('shown');
    await page.getByRole('button', { name: 'Create link' }).click();
    const url = (await page.getByTestId('portal-link').textContent()) ?? '';
    expect(url).toMatch(/\/console\/portal#token=hpp_/);
    const portal = await open(browser, url);
    await portal.page.getByText('Webhook settings for shown').waitFor();
    await portal.page.getByText('Shown on every screen').waitFor();
    await Promise.all([portal.context.close(), context.close()]);
  });

  it('dead letters: reason and last attempt shown; redrive asks first', async () => {
    await waitFor('a dead letter', async () => (await t.admin('GET', '/v1/dead-letters')).body.items.length > 0, 20_000);
    const { page, context } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await page.getByRole('link', { name: 'Dead letters', exact: true }).click();
    await page.getByRole('cell', { name: /failed \d+ attempts/ }).first().waitFor();
    await page.getByRole('button', { name: 'Redrive all' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect((await t.admin('GET', '/v1/dead-letters')).body.items.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Redrive all' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Redrive all' }).click();
    await page.getByRole('status').filter({ hasText: /dead letters? sent back/ }).waitFor();
    await context.close();
  });
});

describe('accessibility', () => {
  it('axe-core finds no serious or critical violation on any screen', async () => {
    const found: Record<string, string[]> = {};
    const check = async (page: Page, screen: string) => {
      const violations = await seriousViolations(page);
      if (violations.length > 0) found[screen] = violations;
    };
    const signInPage = await open(browser, `${t.stack.url}/console`);
    await signInPage.page.locator('#api-key').waitFor();
    await check(signInPage.page, 'sign in');
    await signInPage.context.close();

    const { page, context } = await signIn(browser, t.stack.url, t.stack.adminKey);
    const visit = async (hash: string, ready: string, screen: string) => {
      await page.evaluate((h) => {
        location.hash = h;
      }, hash);
      await page.locator(ready).first().waitFor();
      await page.waitForLoadState('networkidle');
      await check(page, screen);
    };
    await visit('#/endpoints', '#tenant-pick', 'endpoints (no tenant)');
    await visit('#/endpoints/shown', 'table', 'endpoints');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.locator('#ep-url').waitFor();
    await page.getByRole('button', { name: 'Add header' }).click();
    await check(page, 'add endpoint form');
    await page.getByRole('link', { name: /\/shown$/ }).click();
    await page.locator('table.log').waitFor();
    await page.locator('table.log > tbody').first().getByRole('button', { name: 'Details' }).click();
    await page.locator('tr.details').waitFor();
    await page.waitForLoadState('networkidle');
    await check(page, 'endpoint detail');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').waitFor();
    await check(page, 'confirmation dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await visit('#/event-types', 'ul.types', 'event types');
    await page.getByRole('button', { name: 'Add event type' }).click();
    await check(page, 'event type form');
    await visit('#/tenants', 'table', 'tenants');
    await visit('#/dead-letters', '#dead-title', 'dead letters');
    await visit('#/api-keys', 'table', 'API keys');
    await page.getByLabel('Name').fill('axe key');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByTestId('new-key').waitFor();
    await check(page, 'API key shown once');
    await visit('#/portal-links/portal-a', '#link-tenant', 'portal links');
    await page.getByRole('button', { name: 'Create link' }).click();
    await page.getByTestId('portal-link').waitFor();
    await check(page, 'portal link created');
    await context.close();

    const portalUrl = (await t.admin('POST', '/v1/tenants/shown/portal-sessions', {})).body.url;
    const portal = await open(browser, portalUrl);
    await portal.page.locator('table').waitFor();
    await check(portal.page, 'portal endpoints');
    const bad = await open(browser, `${t.stack.url}/console/portal#token=hpp_x.y`);
    await bad.page.getByRole('alert').waitFor();
    await check(bad.page, 'portal invalid link');
    // The checker itself works: a nameless button is a critical violation.
    await bad.page.evaluate(() => document.body.append(document.createElement('button')));
    expect((await seriousViolations(bad.page)).join('\n')).toContain('button-name');
    await Promise.all([portal.context.close(), bad.context.close()]);

    expect(found).toEqual({});
  });
});

describe('languages', () => {
  it.each(LANGUAGES)('%s: picked from the browser, every screen rendered with no missing message', async (lang, locale) => {
    const messages = catalogue(lang);
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale });
    await page.getByRole('link', { name: messages['nav.endpoints'], exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
    for (const [hash, ready] of [
      ['#/endpoints/shown', 'table'],
      ['#/event-types', 'ul.types'],
      ['#/tenants', 'table'],
      ['#/dead-letters', '#dead-title'],
      ['#/api-keys', 'table'],
      ['#/portal-links', '#link-tenant'],
    ] as const) {
      await page.evaluate((h) => {
        location.hash = h;
      }, hash);
      await page.locator(ready).first().waitFor();
    }
    await page.evaluate(() => {
      location.hash = '#/endpoints/shown';
    });
    await page.getByRole('link', { name: /\/shown$/ }).click();
    await page.getByRole('heading', { name: messages['log.title'] }).waitFor();
    await page.getByRole('heading', { name: messages['secret.title'] }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.missingMessages)).toBeUndefined();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('switches language from the picker', async () => {
    const { page, context } = await signIn(browser, t.stack.url, t.stack.adminKey);
    await page.getByLabel('Language').selectOption('th');
    await page.getByRole('link', { name: catalogue('th')['nav.endpoints'], exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('th');
    await context.close();
  });
});
