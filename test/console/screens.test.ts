/**
 * The screens as a person sees them, in every language, at desktop (1280 px) and phone (390 px)
 * width, with a screenshot of each: the endpoint table fits a phone and its URLs wrap only after
 * their separators; a long event-type name stays in its column of the picker; Japanese and Thai are
 * drawn with Japanese and Thai fonts (not empty boxes); the 24 h chart and the list's success rate
 * count the same deliveries (test sends left out, and both say so); the Endpoints screen opens on the
 * tenants list; no dead letters says so and offers no redrive; the catalogue is searchable with its
 * schemas collapsed; a tenant's portal offers none of Hookpost's own hookpost.* types.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureConsoleBuilt } from '../../shared/local/console-build.ts';
import { type ApiTestContext, startApiTest } from '../api/setup.ts';
import { waitFor } from '../helpers/api.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { DESKTOP, LANGUAGES, launch, open, PHONE, say, seriousViolations, shotsDir, signIn } from './browser.ts';

vi.setConfig({ testTimeout: 90_000 });

const TENANT = 'screens';
const LONG_TYPE = 'Organization.Membership.Updated';
/** What a URL may wrap after. */
const SEPARATORS = '/.?&=#_-';

let t: ApiTestContext;
let browser: Browser;
let receiver: Receiver;
const endpoint = { long: '', longUrl: '', all: '' };

beforeAll(async () => {
  // Test sends (the type's example, "s_example") fail; published events succeed.
  receiver = await startReceiver({ lifetimeMs: 300_000, defaultResponse: (request) => (request.body.includes('s_example') ? { status: 500, body: 'no' } : { status: 200, body: 'ok' }) });
  [t, browser] = await Promise.all([startApiTest(), launch(), ensureConsoleBuilt()]).then(([a, b]) => [a, b] as const);
  for (const [type, description] of [
    ['site.created', 'A site was created'],
    [LONG_TYPE, 'A member of an organization got a new role'],
    ['invoice.paid', 'An invoice was paid'],
    ['invoice.voided', 'An invoice was voided'],
    ['user.created', 'A user signed up'],
  ] as const) {
    const put = await t.admin('PUT', `/v1/event-types/${type}`, { description, example: { id: 's_example' }, schema: { type: 'object', properties: { id: { type: 'string' } } } });
    expect(put.status).toBe(201);
  }
  endpoint.longUrl = `${receiver.url}/webhooks/hookpost/orders-and-sites?source=multisite&region=eu-west-1`;
  const long = await t.admin('POST', `/v1/tenants/${TENANT}/subscriptions`, { url: endpoint.longUrl, eventTypes: ['site.created', LONG_TYPE], description: 'Order sync (production)' });
  const all = await t.admin('POST', `/v1/tenants/${TENANT}/subscriptions`, { url: `${receiver.url}/everything`, eventTypes: ['*'], description: 'Everything' });
  expect([long.status, all.status]).toEqual([201, 201]);
  endpoint.long = long.body.id;
  endpoint.all = all.body.id;
  for (const id of ['s_1', 's_2']) expect((await t.admin('POST', '/v1/events', { type: 'site.created', tenant: TENANT, data: { id } })).status).toBe(202);
  for (let i = 0; i < 3; i += 1) expect((await t.admin('POST', `/v1/tenants/${TENANT}/subscriptions/${endpoint.long}/test`, { type: 'site.created' })).body.statusCode).toBe(500);
  await waitFor('both published events delivered', async () => (await t.admin('GET', `/v1/tenants/${TENANT}/subscriptions/${endpoint.long}/stats`)).body.succeeded === 2);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await receiver?.close();
});

const goHash = (page: Page, hash: string) =>
  page.evaluate((h) => {
    location.hash = h;
  }, hash);

/** The endpoint list of the tenant, with every success rate loaded. */
async function endpointList(page: Page): Promise<void> {
  await goHash(page, `#/endpoints/${TENANT}`);
  await page.locator('table').waitFor();
  await page.waitForFunction(() => !document.querySelector('tbody')?.textContent?.includes('…'));
}

/** Where `selector`'s text wraps: the character before and after each line break. */
const lineBreaks = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((elements) =>
    elements.map((element) => {
      const chars: Array<{ c: string; top: number }> = [];
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
        for (let i = 0; i < node.data.length; i += 1) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          chars.push({ c: node.data[i] ?? '', top: range.getBoundingClientRect().top });
        }
      }
      const breaks: string[] = [];
      for (let i = 1; i < chars.length; i += 1) if ((chars[i]?.top ?? 0) > (chars[i - 1]?.top ?? 0) + 2) breaks.push(`${chars[i - 1]?.c}|${chars[i]?.c}`);
      return breaks;
    }),
  );

/** The fonts Chromium drew `selector`'s text with (DevTools protocol: CSS.getPlatformFontsForNode). */
async function fontsOf(page: Page, selector: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument');
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts.filter((font) => font.glyphCount > 0).map((font) => font.familyName);
}

/** A font for each script the language needs: Japanese and Thai from their own fonts, never boxes. */
const SCRIPT_FONTS: Record<string, RegExp> = { ja: /Noto Sans CJK JP|Hiragino|Yu Gothic|Meiryo/, th: /Noto Sans Thai|Loma|Garuda|Waree|Leelawadee|Thonburi/ };

describe.each(LANGUAGES)('the screens (%s)', (lang, locale) => {
  it('the endpoint table fits a phone, URLs wrap only after separators, the text is drawn in a font of its script; screenshots at both widths', async () => {
    for (const [width, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale, viewport });
      await endpointList(page);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), width).toBeLessThanOrEqual(viewport.width);
      const breaks = await lineBreaks(page, 'td.url a');
      for (const at of breaks.flat()) expect(SEPARATORS, `${width}: wrapped at ${at}`).toContain(at[0]);
      // At phone width the long URL does wrap (so the check above has something to check).
      if (width === 'phone') expect(breaks[0]?.length ?? 0).toBeGreaterThan(0);
      const heading = await fontsOf(page, 'main h1');
      expect(heading.length).toBeGreaterThan(0);
      const needed = SCRIPT_FONTS[lang];
      if (needed) expect(heading.join(', ')).toMatch(needed);
      expect(await seriousViolations(page), width).toEqual([]);
      await page.screenshot({ path: `${shotsDir()}/endpoints-${width}-${lang}.png`, fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    }
  });

  it('the event-type picker keeps a long name inside its own column, at both widths', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const { page, context } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale, viewport });
      await endpointList(page);
      await page.getByRole('button', { name: say(lang, 'endpoints.add'), exact: true }).click();
      await page.getByRole('checkbox', { name: LONG_TYPE }).waitFor();
      const boxes = await page.locator('ul.checks > li').evaluateAll((items) =>
        items.map((item) => {
          const label = item.querySelector('label')?.getBoundingClientRect();
          const box = item.getBoundingClientRect();
          return { text: item.querySelector('label')?.textContent ?? '', label: label ? { left: label.left, right: label.right } : undefined, box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom } };
        }),
      );
      expect(boxes.map((b) => b.text)).toContain(LONG_TYPE);
      for (const { text, label, box } of boxes) expect(label && label.right <= box.right + 0.5, `${text} inside its column at ${viewport.width} px`).toBe(true);
      // No two items overlap.
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.box.left < b.box.right && b.box.left < a.box.right && a.box.top < b.box.bottom && b.box.top < a.box.bottom;
          expect(overlap, `${a.text} and ${b.text}`).toBe(false);
        }
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await page.locator('ul.checks').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${shotsDir()}/picker-${viewport.width}-${lang}.png` });
      await context.close();
    }
  });

  it("opens on the tenants list; the list's success rate and the 24 h chart count the same deliveries, test sends left out, and both say so", async () => {
    const stats = (await t.admin('GET', `/v1/tenants/${TENANT}/subscriptions/${endpoint.long}/stats`)).body;
    expect(stats).toMatchObject({ attempts: 2, succeeded: 2, failed: 0 });
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale });
    // Signed in, the Endpoints screen lists the tenants; one click opens a tenant's endpoints.
    await page.getByRole('link', { name: TENANT, exact: true }).click();
    await page.locator('table').waitFor();
    await page.waitForFunction(() => !document.querySelector('tbody')?.textContent?.includes('…'));
    const rate = await page.evaluate((language) => new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 }).format(1), lang);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: endpoint.longUrl }) });
    await row.getByText(say(lang, 'endpoints.rate', { rate, attempts: '2' })).waitFor();
    await page.getByText(say(lang, 'endpoints.testsNotCounted')).waitFor();
    await page.getByRole('link', { name: endpoint.longUrl }).click();
    await page.getByRole('img', { name: say(lang, 'chart.summary', { ok: '2', failed: '0' }) }).waitFor();
    await page.getByText(say(lang, 'endpoints.testsNotCounted')).waitFor();
    // The attempt log below still lists the three test sends, marked as tests.
    await waitFor('the test sends in the log', async () => (await page.locator('table.log .badge:not(.good):not(.bad)').count()) === 3);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('no dead letters: says so, and offers no redrive', async () => {
    expect((await t.admin('GET', '/v1/dead-letters')).body).toMatchObject({ approximateCount: 0, items: [] });
    const { page, context } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale });
    await goHash(page, '#/dead-letters');
    await page.getByTestId('dead-count').filter({ hasText: say(lang, 'dead.none') }).waitFor();
    expect(await page.getByRole('button', { name: say(lang, 'dead.redrive') }).count()).toBe(0);
    await context.close();
  });

  it("the catalogue: searchable, schemas collapsed; a tenant's portal offers no hookpost.* type anywhere", async () => {
    const { page, context } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale });
    await goHash(page, '#/event-types');
    await page.locator('ul.types').waitFor();
    // Collapsed: each type's example and schema open on demand.
    expect(await page.locator('ul.types pre').count()).toBeGreaterThan(0);
    expect(await page.locator('ul.types pre:visible').count()).toBe(0);
    const total = await page.locator('ul.types > li').count();
    await page.getByLabel(say(lang, 'types.search')).fill('invoice');
    await waitFor('only the invoice types', async () => (await page.locator('ul.types > li').count()) === 2);
    await page.getByText(say(lang, 'types.shown', { shown: '2', total: String(total) })).waitFor();
    await page.locator('ul.types > li').first().locator('summary').click();
    await page.locator('ul.types > li').first().locator('pre').first().waitFor({ state: 'visible' });
    await page.getByLabel(say(lang, 'types.search')).fill('no such type anywhere');
    await page.getByText(say(lang, 'types.noMatch')).waitFor();
    await context.close();

    const link = (await t.admin('POST', `/v1/tenants/${TENANT}/portal-sessions`, { expiresInSeconds: 600 })).body.url as string;
    const portal = await open(browser, link, { locale, viewport: PHONE });
    await portal.page.getByText(say(lang, 'header.portalFor', { tenant: TENANT })).waitFor();
    await goHash(portal.page, '#/event-types');
    await portal.page.locator('ul.types').waitFor();
    const listed = await portal.page.locator('ul.types h2').allTextContents();
    expect(listed).toContain(LONG_TYPE);
    expect(listed.filter((type) => type.startsWith('hookpost.'))).toEqual([]);
    await portal.page.screenshot({ path: `${shotsDir()}/portal-event-types-phone-${lang}.png` });
    // Nor in the picker of a new endpoint, nor among the test event types of an endpoint that wants "*".
    await goHash(portal.page, `#/endpoints/${TENANT}`);
    await portal.page.getByRole('button', { name: say(lang, 'endpoints.add'), exact: true }).click();
    await portal.page.getByRole('checkbox', { name: LONG_TYPE }).waitFor();
    expect(await portal.page.getByRole('checkbox', { name: /^hookpost\./ }).count()).toBe(0);
    await goHash(portal.page, `#/endpoints/${TENANT}/${endpoint.all}`);
    await portal.page.locator('#test-type option').first().waitFor({ state: 'attached' });
    const options = await portal.page.locator('#test-type option').allTextContents();
    expect(options).toContain(LONG_TYPE);
    expect(options.filter((type) => type.startsWith('hookpost.'))).toEqual([]);
    expect(portal.errors).toEqual([]);
    await portal.context.close();
  });
});
