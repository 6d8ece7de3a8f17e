/**
 * Screenshots of the console on a local stack with sample data: `tsx scripts/console-screenshots.ts [dir]`
 * (default /tmp/hookpost-screens). docs/console-*.png were made with it. Needs /usr/bin/chromium.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startLocalStack } from '#shared/local/stack.ts';
import { startReceiver } from '../test/helpers/receiver.ts';

const out = path.resolve(process.argv[2] ?? '/tmp/hookpost-screens');
mkdirSync(out, { recursive: true });
const stack = await startLocalStack({ retryScheduleSeconds: [1], deliveryTimeoutMs: 1_000 });
const receiver = await startReceiver({
  lifetimeMs: 120_000,
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
try {
  for (const [type, description, example] of [
    ['site.created', 'A new site was created in the network', { id: 's_101', domain: 'shop.example.com', plan: 'pro' }],
    ['site.deleted', 'A site was deleted', { id: 's_101' }],
    ['membership.renewed', 'A customer renewed their membership', { membership: 'm_7', amount: 49 }],
    ['user.created', 'A user signed up', { id: 'u_1', email: 'ada@example.com' }],
  ] as const) {
    await call('PUT', `/v1/event-types/${type}`, { description, example, schema: { type: 'object', required: [Object.keys(example)[0]] } });
  }
  const main = await call('POST', '/v1/tenants/acme/subscriptions', {
    url: `${receiver.url}/webhooks/hookpost`,
    description: 'Order sync (production)',
    eventTypes: ['site.created', 'site.deleted'],
    headers: { 'x-customer': 'acme' },
    // The delivery controls, so the detail shows them set: ordered, paced, its own schedule and deadline.
    ordering: 'fifo',
    rateLimit: 20,
    retrySchedule: [1, 5],
    timeoutMs: 5000,
  });
  await call('POST', '/v1/tenants/acme/subscriptions', { url: `${receiver.url}/crm`, description: 'CRM: memberships', eventTypes: ['membership.*'] });
  const off = await call('POST', '/v1/tenants/acme/subscriptions', { url: 'https://old.example.com/hooks', description: 'Legacy endpoint', eventTypes: ['*'] });
  await call('PATCH', `/v1/tenants/acme/subscriptions/${off.id}`, { enabled: false });
  await call('POST', `/v1/tenants/acme/subscriptions/${main.id}/test`, { type: 'site.created' });
  for (let i = 0; i < 9; i += 1) await call('POST', '/v1/events', { type: i % 3 ? 'site.created' : 'site.deleted', tenant: 'acme', data: { id: `s_${200 + i}`, ...(i === 4 || i === 7 ? { note: 'fail' } : {}) } });
  await call('POST', '/v1/tenants/globex/subscriptions', { url: `${receiver.url}/globex`, eventTypes: ['user.created'] });
  await new Promise((resolve) => setTimeout(resolve, 4_000));

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  const shoot = async (page: Page, name: string, fullPage = false) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(out, `${name}.png`), fullPage });
  };
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${stack.url}/console`);
  await shoot(page, 'sign-in');
  await page.locator('#api-key').fill(stack.adminKey);
  await page.locator('button[type=submit]').click();
  await page.locator('nav').waitFor();
  await page.goto(`${stack.url}/console#/endpoints/acme`);
  await page.locator('table').waitFor();
  await page.waitForFunction(() => !document.querySelector('tbody')?.textContent?.includes('…'));
  await shoot(page, 'console-endpoints');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await shoot(page, 'add-endpoint', true);
  await page.goto(`${stack.url}/console#/endpoints/acme/${main.id}`);
  await page.locator('table.log').waitFor();
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.getByTestId('test-result').waitFor();
  await page.locator('table.log > tbody').nth(2).getByRole('button', { name: 'Details' }).click();
  await page.locator('tr.details h3 + p.hint, tr.details h3 + pre').nth(1).waitFor();
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(out, 'console-endpoint.png'), clip: { x: 0, y: 0, width: 1280, height: 1450 }, fullPage: true });
  for (const [hash, name] of [
    ['#/event-types', 'event-types'],
    ['#/tenants', 'tenants'],
    ['#/dead-letters', 'dead-letters'],
    ['#/api-keys', 'api-keys'],
    ['#/portal-links/acme', 'portal-links'],
  ] as const) {
    await page.goto(`${stack.url}/console${hash}`);
    await page.locator('main h1').waitFor();
    await shoot(page, name, true);
  }
  const portal = await call('POST', '/v1/tenants/acme/portal-sessions', {});
  const portalPage = await (await browser.newContext({ viewport: { width: 1100, height: 700 }, locale: 'ja-JP' })).newPage();
  await portalPage.goto(portal.url);
  await portalPage.locator('table').waitFor();
  await shoot(portalPage, 'portal-ja');
  await browser.close();
  console.log(`screenshots in ${out}`);
} finally {
  await receiver.close();
  await stack.stop();
}
