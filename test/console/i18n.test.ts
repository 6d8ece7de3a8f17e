/** Every catalogue has exactly the English keys with the same placeholders, and every key the app uses exists. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../web/i18n/', import.meta.url);
const load = (name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Record<string, string>;
const en = load('en.json');
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  const files = readdirSync(dir).filter((name) => name.endsWith('.json'));

  it('are English, Japanese, Portuguese, Russian and Thai', () => {
    expect(files.sort()).toEqual(['en.json', 'ja.json', 'pt.json', 'ru.json', 'th.json']);
  });

  it.each(files)('%s has exactly the English keys, each a non-empty text with the same placeholders', (file) => {
    const catalogue = load(file);
    expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(catalogue)) {
      expect(typeof text === 'string' && text.trim() !== '', `${file} ${key}`).toBe(true);
      expect(placeholders(text), `${file} ${key}`).toEqual(placeholders(en[key] ?? ''));
    }
  });

  it('has every key the app asks for, and no key it never uses', () => {
    const src = new URL('../../web/src/', import.meta.url);
    const code = readdirSync(src)
      .filter((name) => /\.tsx?$/.test(name))
      .map((name) => readFileSync(new URL(name, src), 'utf8'))
      .join('\n');
    const used = new Set([...code.matchAll(/'([A-Za-z]+\.[A-Za-z]+)'/g)].map((m) => m[1] ?? '').filter((key) => /^(app|nav|header|signIn|portal|common|error|field|endpoints|detail|secret|test|chart|log|recover|types|tenants|dead|keys|links)\./.test(key)));
    expect([...used].filter((key) => !(key in en))).toEqual([]);
    expect(Object.keys(en).filter((key) => !used.has(key))).toEqual([]);
  });
});
