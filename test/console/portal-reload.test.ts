/**
 * The tenant portal survives a reload: the link's token is kept for the tab's life in sessionStorage
 * (never localStorage, a cookie, the address bar or a request URL), and is still ended by expiry and
 * by key rotation (a stored token the API refuses: the expired-link message, and the token removed).
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signPortalToken } from '#shared/core/management/portal-tokens.ts';
import { ensureConsoleBuilt } from '../../shared/local/console-build.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { type ApiTestContext, startApiTest } from '../api/setup.ts';
import { LANGUAGES, launch, say, shotsDir } from './browser.ts';

vi.setConfig({ testTimeout: 60_000 });


const TENANT = 'reloaded';
const STORED = 'hookpost.portalToken';
let t: ApiTestContext;
let browser: Browser;
let receiver: Receiver;
let endpointId: string;

beforeAll(async () => {
  receiver = await startReceiver({ lifetimeMs: 120_000 });
  [t, browser] = await Promise.all([startApiTest(), launch(), ensureConsoleBuilt()]).then(([a, b]) => [a, b] as const);
  const made = await t.admin('POST', `/v1/tenants/${TENANT}/subscriptions`, { url: `${receiver.url}/reloaded`, eventTypes: ['*'], description: 'Kept across reloads' });
  expect(made.status).toBe(201);
  endpointId = made.body.id;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await receiver?.close();
});

interface Portal {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, from the first. */
  urls: string[];
  errors: string[];
}

/** Opens a portal link, recording every request URL from before the first one. */
async function openPortal(url: string, locale: string): Promise<Portal> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const urls: string[] = [];
  const errors: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { context, page, urls, errors };
}

const where = (page: Page) =>
  page.evaluate((key) => ({ session: sessionStorage.getItem(key), local: JSON.stringify(localStorage), cookie: document.cookie, href: location.href }), STORED);

async function showsPortal(page: Page, lang: string): Promise<void> {
  await page.getByText(say(lang, 'header.portalFor', { tenant: TENANT })).waitFor();
  await page.getByText('Kept across reloads').first().waitFor();
}

describe.each(LANGUAGES)('the portal on reload (%s)', (lang, locale) => {
  it('keeps working after a reload, on the screen it showed; the token is in sessionStorage only and in no request URL', async () => {
    const link = (await t.admin('POST', `/v1/tenants/${TENANT}/portal-sessions`, { expiresInSeconds: 600 })).body.url as string;
    const token = link.split('#token=')[1] ?? '';
    expect(token).toMatch(/^hpp_/);
    const { page, context, urls, errors } = await openPortal(link, locale);
    await showsPortal(page, lang);
    const opened = await where(page);
    expect(opened.session).toBe(token);
    expect(opened.local).not.toContain(token);
    expect(opened.cookie).not.toContain(token);
    expect(opened.href).not.toContain(token);

    await page.reload();
    await showsPortal(page, lang);
    expect(await page.getByRole('alert').count()).toBe(0);

    // The endpoint's page, reloaded, is still that page.
    await page.evaluate((hash) => {
      location.hash = hash;
    }, `#/endpoints/${TENANT}/${endpointId}`);
    await page.locator('#detail-title').filter({ hasText: `${receiver.url}/reloaded` }).waitFor();
    await page.reload();
    await page.locator('#detail-title').filter({ hasText: `${receiver.url}/reloaded` }).waitFor();
    await page.getByText(say(lang, 'header.portalFor', { tenant: TENANT })).waitFor();
    await page.screenshot({ path: `${shotsDir()}/portal-reloaded-${lang}.png`, fullPage: true });

    const reloaded = await where(page);
    expect(reloaded.session).toBe(token);
    expect(reloaded.local).not.toContain(token);
    expect(reloaded.cookie).not.toContain(token);
    expect(reloaded.href).not.toContain(token);
    expect((await context.cookies()).map((c) => c.value).join(' ')).not.toContain(token);
    // Requests were made (the page, its assets, the API three times over), none with the token in its URL.
    expect(urls.filter((u) => u.includes('/v1/')).length).toBeGreaterThanOrEqual(3);
    expect(urls.filter((u) => u.includes(token) || u.includes('hpp_'))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an expired stored token: after a reload, the expired-link message, and the token is removed', async () => {
    const link = (await t.admin('POST', `/v1/tenants/${TENANT}/portal-sessions`, { expiresInSeconds: 600 })).body.url as string;
    const { page, context, urls } = await openPortal(link, locale);
    await showsPortal(page, lang);
    const expired = signPortalToken(t.stack.portalSigningKey, TENANT, Date.now() - 1_000);
    await page.evaluate(([key, value]) => sessionStorage.setItem(key as string, value as string), [STORED, expired]);
    await page.reload();
    await page.getByRole('alert').filter({ hasText: say(lang, 'portal.invalid') }).waitFor();
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('Kept across reloads');
    expect(await page.locator('nav, table, form').count()).toBe(0);
    expect((await where(page)).session).toBeNull();
    await page.screenshot({ path: `${shotsDir()}/portal-expired-${lang}.png`, fullPage: true });
    // Another reload has nothing to open.
    await page.reload();
    await page.getByRole('alert').filter({ hasText: say(lang, 'portal.invalid') }).waitFor();
    expect(urls.filter((u) => u.includes('hpp_'))).toEqual([]);
    await context.close();
  });

  it('a stored token the API refuses (signed with a key since rotated): the message, and the token is removed', async () => {
    const link = (await t.admin('POST', `/v1/tenants/${TENANT}/portal-sessions`, { expiresInSeconds: 600 })).body.url as string;
    const { page, context, urls } = await openPortal(link, locale);
    await showsPortal(page, lang);
    const oldKey = signPortalToken(randomBytes(32).toString('base64'), TENANT, Date.now() + 600_000);
    expect((await t.as(oldKey)('GET', '/v1/me')).status).toBe(401);
    await page.evaluate(([key, value]) => sessionStorage.setItem(key as string, value as string), [STORED, oldKey]);
    await page.reload();
    await page.getByRole('alert').filter({ hasText: say(lang, 'portal.invalid') }).waitFor();
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('Kept across reloads');
    expect((await where(page)).session).toBeNull();
    expect(urls.filter((u) => u.includes('hpp_'))).toEqual([]);
    await context.close();
  });

  it('a refusal during the session (401 on a later call) ends it and removes the stored token', async () => {
    const link = (await t.admin('POST', `/v1/tenants/${TENANT}/portal-sessions`, { expiresInSeconds: 600 })).body.url as string;
    const { page, context } = await openPortal(link, locale);
    await showsPortal(page, lang);
    // The key is rotated while the page is open: the API now refuses the token on its next call.
    await page.route('**/v1/tenants/**', (route) =>
      route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unauthorized', message: 'invalid credentials', details: [] } }) }),
    );
    await page.evaluate((hash) => {
      location.hash = hash;
    }, `#/endpoints/${TENANT}/${endpointId}`);
    await page.getByRole('alert').filter({ hasText: say(lang, 'portal.invalid') }).waitFor();
    expect((await where(page)).session).toBeNull();
    await page.unroute('**/v1/tenants/**');
    await page.reload();
    await page.getByRole('alert').filter({ hasText: say(lang, 'portal.invalid') }).waitFor();
    await context.close();
  });

  it('a new link in the same tab replaces the kept token', async () => {
    const first = (await t.admin('POST', `/v1/tenants/${TENANT}/portal-sessions`, { expiresInSeconds: 600 })).body.url as string;
    const second = (await t.admin('POST', '/v1/tenants/other-tenant/portal-sessions', { expiresInSeconds: 600 })).body.url as string;
    const { page, context } = await openPortal(first, locale);
    await showsPortal(page, lang);
    await page.goto(second);
    await page.getByText(say(lang, 'header.portalFor', { tenant: 'other-tenant' })).waitFor();
    const kept = await where(page);
    expect(kept.session).toBe(second.split('#token=')[1]);
    expect(kept.href).not.toContain('hpp_');
    await page.reload();
    await page.getByText(say(lang, 'header.portalFor', { tenant: 'other-tenant' })).waitFor();
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('Kept across reloads');
    await context.close();
  });
});
