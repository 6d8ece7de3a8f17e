/**
 * Screenshots of the console and the tenant portal on a local stack with sample data, in every
 * language, at desktop (1280 px) and phone (390 px) width: `tsx scripts/console-screenshots.ts [dir]`
 * (default /tmp/hookpost-screens). With `--docs` it writes the README's two images
 * (docs/console-endpoints.png, docs/console-endpoint.png) and the rest to docs/screenshots/.
 * Needs Chromium (/usr/bin/chromium, or HOOKPOST_CHROMIUM), and for ja and th Debian's fonts-noto-cjk and fonts-thai-tlwg.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startLocalStack } from '#shared/local/stack.ts';
import { DESKTOP, LANGUAGES, launch, PHONE } from '../test/console/browser.ts';
import { startReceiver } from '../test/helpers/receiver.ts';

const DOCS = process.argv.includes('--docs');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = DOCS ? path.join(ROOT, 'docs', 'screenshots') : path.resolve(process.argv[2] ?? '/tmp/hookpost-screens');
mkdirSync(out, { recursive: true });
/** The README shows these two under their own names in docs/. */
const README_IMAGES: Record<string, string> = { 'en-endpoints-desktop': 'console-endpoints', 'en-endpoint-desktop': 'console-endpoint' };

const stack = await startLocalStack({ retryScheduleSeconds: [1], deliveryTimeoutMs: 1_000 });
const receiver = await startReceiver({
  lifetimeMs: 600_000,
  defaultResponse: (request) => (request.body.includes('"fail"') ? { status: 503, body: 'upstream busy' } : { status: 200, body: '{"received":true}' }),
});
const call = async (method: string, p: string, body?: unknown) => {
  const response = await fetch(stack.url + p, {
    method,
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
};

async function shoot(page: Page, name: string, options: { fullPage?: boolean; maxHeight?: number } = {}): Promise<void> {
  await page.waitForLoadState('networkidle');
  const file = DOCS && README_IMAGES[name] ? path.join(ROOT, 'docs', `${README_IMAGES[name]}.png`) : path.join(out, `${name}.png`);
  if (options.maxHeight) {
    const height = Math.min(options.maxHeight, await page.evaluate(() => document.documentElement.scrollHeight));
    await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: page.viewportSize()?.width ?? 1280, height } });
  } else {
    await page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  }
}

async function signedIn(browser: Browser, locale: string, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale });
  const page = await context.newPage();
  await page.goto(`${stack.url}/console`);
  await page.locator('#api-key').fill(stack.adminKey);
  await page.locator('button[type=submit]').click();
  await page.locator('nav').waitFor();
  return page;
}

const goHash = (page: Page, hash: string) =>
  page.evaluate((h) => {
    location.hash = h;
  }, hash);

try {
  for (const [type, description, example] of [
    ['site.created', 'A new site was created in the network', { id: 's_101', domain: 'shop.example.com', plan: 'pro' }],
    ['site.deleted', 'A site was deleted', { id: 's_101' }],
    ['membership.renewed', 'A customer renewed their membership', { membership: 'm_7', amount: 49 }],
    ['Organization.Membership.Updated', 'A member of an organization got a new role', { organization: 'org_3', user: 'u_1', role: 'admin' }],
    ['user.created', 'A user signed up', { id: 'u_1', email: 'ada@example.com' }],
  ] as const) {
    await call('PUT', `/v1/event-types/${type}`, { description, example, schema: { type: 'object', required: [Object.keys(example)[0]] } });
  }
  const main = await call('POST', '/v1/tenants/acme/subscriptions', {
    url: `${receiver.url}/webhooks/hookpost/orders-and-sites?source=multisite`,
    description: 'Order sync (production)',
    eventTypes: ['site.created', 'site.deleted'],
    headers: { 'x-customer': 'acme' },
    ordering: 'fifo',
    rateLimit: 20,
    retrySchedule: [1, 5],
    timeoutMs: 5000,
  });
  await call('POST', '/v1/tenants/acme/subscriptions', { url: `${receiver.url}/crm/memberships`, description: 'CRM: memberships', eventTypes: ['membership.*', 'Organization.Membership.Updated'] });
  const off = await call('POST', '/v1/tenants/acme/subscriptions', { url: 'https://old.example.com/hooks', description: 'Legacy endpoint', eventTypes: ['*'] });
  await call('PATCH', `/v1/tenants/acme/subscriptions/${off.id}`, { enabled: false });
  await call('POST', `/v1/tenants/acme/subscriptions/${main.id}/test`, { type: 'site.created' });
  for (let i = 0; i < 9; i += 1) await call('POST', '/v1/events', { type: i % 3 ? 'site.created' : 'site.deleted', tenant: 'acme', data: { id: `s_${200 + i}`, ...(i === 4 || i === 7 ? { note: 'fail' } : {}) } });
  await call('POST', '/v1/tenants/globex/subscriptions', { url: `${receiver.url}/globex`, eventTypes: ['user.created'] });
  await new Promise((resolve) => setTimeout(resolve, 4_000));

  const browser = await launch();
  for (const [lang, locale] of LANGUAGES) {
    // Desktop: the endpoints of a tenant, and one endpoint's page.
    const desk = await signedIn(browser, locale, DESKTOP);
    await goHash(desk, '#/endpoints/acme');
    await desk.locator('table').waitFor();
    await desk.waitForFunction(() => !document.querySelector('tbody')?.textContent?.includes('…'));
    await shoot(desk, `${lang}-endpoints-desktop`);
    if (lang === 'en') {
      // One endpoint's page, with a test event's answer and one attempt's details open.
      await goHash(desk, `#/endpoints/acme/${main.id}`);
      await desk.locator('table.log').waitFor();
      await desk.locator('#test-title').locator('xpath=..').locator('button').click();
      await desk.getByTestId('test-result').waitFor();
      await desk.locator('table.log > tbody').nth(2).locator('button').click();
      await desk.locator('tr.details h3 + p.hint, tr.details h3 + pre').nth(1).waitFor();
      await shoot(desk, `${lang}-endpoint-desktop`, { maxHeight: 1450 });
    }
    await desk.context().close();

    // Phone: the list, the form refused at its URL field, and the tenant portal.
    const phone = await signedIn(browser, locale, PHONE);
    await goHash(phone, '#/endpoints/acme');
    await phone.locator('table').waitFor();
    await phone.waitForFunction(() => !document.querySelector('tbody')?.textContent?.includes('…'));
    await shoot(phone, `${lang}-endpoints-phone`, { maxHeight: 1500 });
    await phone.locator('.title-row button').first().click();
    await phone.locator('#ep-url').fill('https://user:secret@hooks.example.com/in');
    await phone.locator('[id="type-Organization.Membership.Updated"]').check();
    await phone.locator('form.card button[type=submit]').click();
    await phone.locator('#ep-url-error').waitFor();
    await phone.locator('#ep-url').scrollIntoViewIfNeeded();
    await phone.evaluate(() => window.scrollTo(0, (document.getElementById('endpoint-form-title')?.getBoundingClientRect().top ?? 0) + window.scrollY - 8));
    await shoot(phone, `${lang}-form-error-phone`);
    if (lang === 'en') {
      await goHash(phone, `#/endpoints/acme/${main.id}`);
      await phone.locator('table.log').waitFor();
      await shoot(phone, `${lang}-endpoint-phone`, { maxHeight: 2400 });
    }
    await phone.context().close();

    const portal = await call('POST', '/v1/tenants/acme/portal-sessions', {});
    const portalPage = await (await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, locale })).newPage();
    await portalPage.goto(portal.url);
    await portalPage.locator('table').waitFor();
    await portalPage.waitForFunction(() => !document.querySelector('tbody')?.textContent?.includes('…'));
    await shoot(portalPage, `${lang}-portal-phone`);
    await portalPage.context().close();
  }
  // English only: the catalogue (searchable, schemas collapsed).
  const page = await signedIn(browser, 'en-US', DESKTOP);
  await goHash(page, '#/event-types');
  await page.locator('ul.types').waitFor();
  await shoot(page, 'en-event-types-desktop');
  await browser.close();
  console.log(`screenshots in ${out}`);
} finally {
  await receiver.close();
  await stack.stop();
}
