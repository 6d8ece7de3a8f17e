/** Browser helpers for the console tests: Debian's Chromium through playwright-core, axe-core, bounded waits. */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.HOOKPOST_CHROMIUM ?? '/usr/bin/chromium';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The console's five languages, each with a browser locale that picks it. */
export const LANGUAGES = [
  ['en', 'en-US'],
  ['ja', 'ja-JP'],
  ['pt', 'pt-BR'],
  ['ru', 'ru-RU'],
  ['th', 'th-TH'],
] as const;
export type Language = (typeof LANGUAGES)[number][0];

/** A language's message catalogue (web/i18n/<lang>.json). */
export const messages = (lang: string): Record<string, string> =>
  JSON.parse(readFileSync(new URL(`../../web/i18n/${lang}.json`, import.meta.url), 'utf8')) as Record<string, string>;

/** A message with its `{name}` placeholders filled (numbers already formatted as the page formats them). */
export const say = (lang: string, key: string, values: Record<string, string> = {}): string => {
  const text = messages(lang)[key];
  if (text === undefined) throw new Error(`no message ${key} in ${lang}`);
  return text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
};

/**
 * Where the browser tests keep their screenshots: HOOKPOST_SHOTS, or a folder under the system's temp
 * directory. They are taken on every run, in every language, so a layout or font fault can be seen.
 */
export function shotsDir(): string {
  const dir = process.env.HOOKPOST_SHOTS ?? path.join(tmpdir(), 'hookpost-console-shots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors (besides failed requests the test caused on purpose). */
  errors: string[];
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function open(browser: Browser, url: string, options: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<Opened> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-US', viewport: options.viewport ?? DESKTOP });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { context, page, errors };
}

export async function signIn(browser: Browser, baseUrl: string, key: string, options: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<Opened> {
  const opened = await open(browser, `${baseUrl}/console`, options);
  await opened.page.locator('#api-key').fill(key);
  await opened.page.locator('button[type=submit]').click();
  await opened.page.locator('nav').waitFor();
  return opened;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's serious and critical violations on the page as it is now (injected over CDP, so CSP allows it). */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    // biome-ignore lint: axe is injected above
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  })) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
