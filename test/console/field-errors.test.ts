/**
 * A refused form says why at each field, in the user's language, in the console and in the tenant
 * portal: the API's `details[].path` lands at its field (marked aria-invalid, described by its error),
 * each detail is a translated message, and the banner only says to correct the marked fields — no raw
 * English from the server in any language. What the browser can tell (no URL, not a URL, no event type)
 * is said the same way before anything is sent.
 */
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureConsoleBuilt } from '../../shared/local/console-build.ts';
import { type ApiTestContext, startApiTest } from '../api/setup.ts';
import { LANGUAGES, launch, open, PHONE, say, seriousViolations, shotsDir, signIn } from './browser.ts';

vi.setConfig({ testTimeout: 90_000 });

/** The server's own (English) texts for the refusals below: none may reach the page in another language. */
const SERVER_TEXTS = ['body is invalid', 'url is not an allowed destination', 'URL must not contain credentials', 'Too big', 'custom headers may not set', 'must be an event type name'];

let t: ApiTestContext;
let browser: Browser;

beforeAll(async () => {
  [t, browser] = await Promise.all([startApiTest(), launch(), ensureConsoleBuilt()]).then(([a, b]) => [a, b] as const);
  expect((await t.admin('PUT', '/v1/event-types/order.paid', { description: 'An order was paid', example: { id: 'o_1' } })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** The next answer to creating an endpoint (the test asserts it was the server that refused). */
const created = (page: Page): Promise<Response> =>
  page.waitForResponse((response) => response.request().method() === 'POST' && /\/v1\/tenants\/[^/]+\/subscriptions$/.test(new URL(response.url()).pathname));

/** A field shows exactly `message` as its error, is marked invalid and is described by that error. */
async function fieldSays(page: Page, field: string, message: string): Promise<void> {
  const error = page.locator(`#ep-${field}-error`);
  await error.filter({ hasText: message }).waitFor();
  expect((await error.textContent())?.trim()).toBe(message);
  const control = page.locator(`#ep-${field}`);
  if ((await control.count()) > 0) {
    expect(await control.getAttribute('aria-invalid')).toBe('true');
    expect(await control.getAttribute('aria-describedby')).toContain(`ep-${field}-error`);
  }
}

/** The banner (the form's alert that is no field's) says only to correct the marked fields. */
async function bannerSaysFix(page: Page, lang: string): Promise<void> {
  const banner = page.locator('form.card > p.error:not(.field-error)');
  await banner.filter({ hasText: say(lang, 'endpoints.fixFields') }).waitFor();
  expect(await banner.count()).toBe(1);
}

async function noServerEnglish(page: Page, lang: string): Promise<void> {
  if (lang === 'en') return;
  const text = await page.evaluate(() => document.body.innerText);
  for (const english of SERVER_TEXTS) expect(text, english).not.toContain(english);
}

/** On the endpoints screen of a tenant: opens the add form. */
async function addForm(page: Page, lang: string): Promise<void> {
  await page.getByRole('button', { name: say(lang, 'endpoints.add'), exact: true }).click();
  await page.locator('#ep-url').waitFor();
}

describe.each(LANGUAGES)('field errors (%s)', (lang, locale) => {
  it('console: what the browser can tell, then each refusal of the server, at its field and translated', async () => {
    const tenant = `fields-${lang}`;
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale });
    await page.evaluate((h) => {
      location.hash = h;
    }, `#/endpoints/${tenant}`);
    await addForm(page, lang);
    const submit = () => page.locator('form.card button[type=submit]').click();

    // Nothing filled in: the URL and the event types say so, before any request.
    let requests = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/subscriptions')) requests += 1;
    });
    await submit();
    await fieldSays(page, 'url', say(lang, 'field.required'));
    await fieldSays(page, 'eventTypes', say(lang, 'field.pickEventType'));
    await page.locator('#ep-url').fill('hooks.example.com/in');
    await submit();
    await fieldSays(page, 'url', say(lang, 'field.urlInvalid'));
    await bannerSaysFix(page, lang);
    expect(requests).toBe(0);

    // The server's refusals of the body: a typed pattern, a forbidden header, a timeout too long.
    await page.locator('#ep-url').fill('https://hooks.example.com/in');
    await page.getByRole('checkbox', { name: 'order.paid' }).check();
    await page.locator('#ep-patterns').fill('bad!type');
    await page.getByRole('button', { name: say(lang, 'endpoints.addHeader') }).click();
    await page.getByLabel(say(lang, 'endpoints.headerName', { n: '1' })).fill('content-type');
    await page.getByLabel(say(lang, 'endpoints.headerValue', { n: '1' })).fill('text/plain');
    await page.locator('#ep-timeoutMs').fill('50000');
    const answer = created(page);
    await submit();
    expect((await answer).status()).toBe(422);
    // A list item's refusal names the item as it was sent.
    await fieldSays(page, 'eventTypes', say(lang, 'field.at', { path: '"bad!type"', message: say(lang, 'field.eventTypePattern') }));
    await fieldSays(page, 'headers', say(lang, 'field.headerForbidden'));
    const max = await page.evaluate((language) => new Intl.NumberFormat(language).format(30_000), lang);
    await fieldSays(page, 'timeoutMs', say(lang, 'field.atMost', { count: max }));
    expect(await page.locator('#ep-url-error').count()).toBe(0);
    await bannerSaysFix(page, lang);
    await noServerEnglish(page, lang);
    await page.screenshot({ path: `${shotsDir()}/field-errors-console-${lang}.png`, fullPage: true });

    // Then the server's refusal of the destination (checked once the body is well-formed), at the URL.
    await page.locator('#ep-url').fill('https://user:secret@hooks.example.com/in');
    await page.locator('#ep-patterns').fill('');
    await page.getByRole('button', { name: say(lang, 'endpoints.removeHeader', { n: '1' }) }).click();
    await page.locator('#ep-timeoutMs').fill('5000');
    const refused = created(page);
    await submit();
    expect((await refused).status()).toBe(422);
    await fieldSays(page, 'url', say(lang, 'field.urlCredentials'));
    for (const field of ['eventTypes', 'headers', 'timeoutMs']) expect(await page.locator(`#ep-${field}-error`).count(), field).toBe(0);
    await bannerSaysFix(page, lang);
    await noServerEnglish(page, lang);
    expect(await seriousViolations(page)).toEqual([]);

    // Corrected, the same form goes through and the marks are gone.
    await page.locator('#ep-url').fill('https://hooks.example.com/in');
    const accepted = created(page);
    await submit();
    expect((await accepted).status()).toBe(201);
    await page.getByRole('status').filter({ hasText: say(lang, 'endpoints.created') }).waitFor();
    expect(await page.locator('.field-error, [aria-invalid=true]').count()).toBe(0);
    expect((await t.admin('GET', `/v1/tenants/${tenant}/subscriptions`)).body.items).toMatchObject([{ url: 'https://hooks.example.com/in', eventTypes: ['order.paid'], timeoutMs: 5000 }]);
    expect(errors.filter((e) => !/422/.test(e))).toEqual([]);
    await context.close();
  });

  it('portal, on a phone: a bad URL is marked at the URL field in the language of the page, with no English banner', async () => {
    const tenant = `portal-fields-${lang}`;
    const link = (await t.admin('POST', `/v1/tenants/${tenant}/portal-sessions`, { expiresInSeconds: 600 })).body.url as string;
    const { page, context, errors } = await open(browser, link, { locale, viewport: PHONE });
    await page.getByText(say(lang, 'header.portalFor', { tenant })).waitFor();
    await addForm(page, lang);
    await page.locator('#ep-url').fill('https://user:secret@hooks.example.com/in');
    await page.getByRole('checkbox', { name: 'order.paid' }).check();
    const answer = created(page);
    await page.locator('form.card button[type=submit]').click();
    expect((await answer).status()).toBe(422);
    await fieldSays(page, 'url', say(lang, 'field.urlCredentials'));
    await bannerSaysFix(page, lang);
    await noServerEnglish(page, lang);
    // The error sits right under the URL field, inside the phone's width.
    const [field, error] = await Promise.all([page.locator('#ep-url').boundingBox(), page.locator('#ep-url-error').boundingBox()]);
    expect(error && field && error.y >= field.y + field.height && error.y - (field.y + field.height) < 24).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.locator('#ep-url').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shotsDir()}/field-errors-portal-phone-${lang}.png` });
    expect((await t.admin('GET', `/v1/tenants/${tenant}/subscriptions`)).body.items).toEqual([]);
    expect(errors.filter((e) => !/422/.test(e))).toEqual([]);
    await context.close();
  });
});
