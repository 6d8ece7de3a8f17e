/**
 * An endpoint's detail page shows that endpoint only: going straight from endpoint A (secret revealed,
 * then rotated, a test sent) to endpoint B — by browser back and forward, by editing the address, by
 * the in-app links — shows none of A's secret, rotation notice or test result under B, and a reply
 * for A still in flight when the page moved on does not land on B. B's secret, revealed, is B's.
 */
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureConsoleBuilt } from '../../shared/local/console-build.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { type ApiTestContext, startApiTest } from '../api/setup.ts';
import { LANGUAGES, launch, messages as catalogue, shotsDir, signIn } from './browser.ts';

vi.setConfig({ testTimeout: 90_000 });


const TENANT = 'detail-state';
let t: ApiTestContext;
let browser: Browser;
let receivers: Receiver[];
const endpoint = { a: { id: '', url: '' }, b: { id: '', url: '' } };

beforeAll(async () => {
  receivers = await Promise.all(['reply from endpoint A', 'reply from endpoint B'].map((body) => startReceiver({ lifetimeMs: 180_000, defaultResponse: { status: 200, body } })));
  [t, browser] = await Promise.all([startApiTest(), launch(), ensureConsoleBuilt()]).then(([a, b]) => [a, b] as const);
  expect((await t.admin('PUT', '/v1/event-types/order.paid', { description: 'An order was paid', example: { id: 'o_1' } })).status).toBe(201);
  for (const [name, receiver] of [
    ['a', receivers[0]],
    ['b', receivers[1]],
  ] as const) {
    const url = `${receiver?.url}/endpoint-${name}`;
    const made = await t.admin('POST', `/v1/tenants/${TENANT}/subscriptions`, { url, eventTypes: ['order.paid'], description: `Endpoint ${name.toUpperCase()}` });
    expect(made.status).toBe(201);
    endpoint[name] = { id: made.body.id, url };
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await Promise.all((receivers ?? []).map((r) => r.close()));
});

const detailHash = (name: 'a' | 'b') => `#/endpoints/${TENANT}/${endpoint[name].id}`;
const secretOf = async (name: 'a' | 'b'): Promise<string> => (await t.admin('GET', `/v1/tenants/${TENANT}/subscriptions/${endpoint[name].id}/secret`)).body.secret;

async function setHash(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
}

/** Waits until the detail page shows endpoint `name` (its URL is the page's title). */
async function showing(page: Page, name: 'a' | 'b'): Promise<void> {
  await page.locator('#detail-title').filter({ hasText: endpoint[name].url }).waitFor();
  await page.getByTestId('secret').waitFor();
}

/** On A's page: reveal the secret, rotate it (the notice shows), send a test (its result shows). */
async function useEndpointA(page: Page, lang: string): Promise<void> {
  const m = catalogue(lang);
  await showing(page, 'a');
  await page.getByRole('button', { name: m['secret.reveal'], exact: true }).click();
  await page.getByTestId('secret').filter({ hasText: await secretOf('a') }).waitFor();
  await page.getByRole('button', { name: m['secret.rotate'], exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: m['secret.rotate'], exact: true }).click();
  await page.getByRole('status').filter({ hasText: m['secret.rotated'] }).waitFor();
  await page.getByTestId('secret').filter({ hasText: await secretOf('a') }).waitFor();
  await page.getByRole('button', { name: m['test.send'], exact: true }).click();
  await page.getByTestId('test-result').filter({ hasText: 'reply from endpoint A' }).waitFor();
}

/** B's page carries nothing of A: no secret shown, no copy button, no rotation notice, no test result. */
async function nothingOfA(page: Page, lang: string): Promise<void> {
  const m = catalogue(lang);
  await showing(page, 'b');
  const secretA = await secretOf('a');
  const text = await page.evaluate(() => document.body.innerText);
  expect(text).not.toContain(secretA);
  expect(text).not.toContain('reply from endpoint A');
  expect(text).not.toContain(m['secret.rotated']);
  expect(await page.getByTestId('secret').textContent()).toMatch(/^•+$/);
  expect(await page.getByRole('button', { name: m['secret.copy'], exact: true }).count()).toBe(0);
  expect(await page.getByTestId('test-result').count()).toBe(0);
}

/** B's own secret, revealed, is B's (as the API has it). */
async function revealB(page: Page, lang: string): Promise<void> {
  await page.getByRole('button', { name: catalogue(lang)['secret.reveal'], exact: true }).click();
  const secretB = await secretOf('b');
  expect(secretB).not.toBe(await secretOf('a'));
  await page.getByTestId('secret').filter({ hasText: secretB }).waitFor();
  expect(await page.getByTestId('secret').textContent()).toBe(secretB);
}

describe.each(LANGUAGES)('endpoint detail state (%s)', (lang, locale) => {
  it('browser back and forward: A, then B, then back to A, forward to B', async () => {
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale });
    await setHash(page, detailHash('b'));
    await showing(page, 'b');
    await setHash(page, detailHash('a'));
    await useEndpointA(page, lang);
    await page.goBack();
    await nothingOfA(page, lang);
    await page.goForward();
    await useEndpointA(page, lang);
    await page.goBack();
    await nothingOfA(page, lang);
    await revealB(page, lang);
    await page.screenshot({ path: `${shotsDir()}/detail-b-after-a-${lang}.png`, fullPage: true });
    // And back on A, B's revealed secret is gone too.
    await page.goForward();
    await showing(page, 'a');
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(await secretOf('b'));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('editing the address: the hash route, and the whole URL typed in', async () => {
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale });
    await setHash(page, detailHash('a'));
    await useEndpointA(page, lang);
    await setHash(page, detailHash('b'));
    await nothingOfA(page, lang);
    await revealB(page, lang);

    await setHash(page, detailHash('a'));
    await useEndpointA(page, lang);
    await page.goto(`${t.stack.url}/console${detailHash('b')}`);
    await nothingOfA(page, lang);
    await revealB(page, lang);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the in-app links: back to the list, then the other endpoint', async () => {
    const m = catalogue(lang);
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale });
    await setHash(page, detailHash('a'));
    await useEndpointA(page, lang);
    await page.getByRole('link', { name: m['detail.back'] }).click();
    await page.getByRole('link', { name: endpoint.b.url }).click();
    await nothingOfA(page, lang);
    await revealB(page, lang);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a reveal and a test send for A still in flight when the page moves to B do not land on B", async () => {
    const m = catalogue(lang);
    const { page, context, errors } = await signIn(browser, t.stack.url, t.stack.adminKey, { locale });
    await setHash(page, detailHash('a'));
    await showing(page, 'a');
    // Hold A's secret and test replies until the page shows B.
    const held: Route[] = [];
    const holding = new Promise<void>((resolve) => {
      void page.route(`**/v1/tenants/${TENANT}/subscriptions/${endpoint.a.id}/{secret,test}`, (route) => {
        held.push(route);
        if (held.length === 2) resolve();
      });
    });
    await page.getByRole('button', { name: m['secret.reveal'], exact: true }).click();
    await page.getByRole('button', { name: m['test.send'], exact: true }).click();
    await holding;
    await setHash(page, detailHash('b'));
    await showing(page, 'b');
    // Record everything the secret and test-result areas ever show from here on.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __seen: string[] }).__seen = seen;
      const record = () => {
        for (const node of document.querySelectorAll('[data-testid=secret], [data-testid=test-result]')) seen.push(node.textContent ?? '');
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const finished = held.map((route) => page.waitForResponse((response) => response.request() === route.request()));
    for (const route of held) await route.continue();
    await Promise.all(finished);
    // Then B's own reveal and test send, which come after A's late replies were handled.
    await revealB(page, lang);
    await page.getByRole('button', { name: m['test.send'], exact: true }).click();
    await page.getByTestId('test-result').filter({ hasText: 'reply from endpoint B' }).waitFor();
    const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen.join('\n'));
    expect(seen).not.toContain(await secretOf('a'));
    expect(seen).not.toContain('reply from endpoint A');
    await nothingOfAButB(page);
    expect(errors).toEqual([]);
    await context.close();
  });
});

/** After B's own reveal and test: only B's secret and B's reply on the page. */
async function nothingOfAButB(page: Page): Promise<void> {
  const text = await page.evaluate(() => document.body.innerText);
  expect(text).toContain(await secretOf('b'));
  expect(text).not.toContain(await secretOf('a'));
  expect(text).toContain('reply from endpoint B');
  expect(text).not.toContain('reply from endpoint A');
}
