/** Catalogues (web/i18n/*.json), the language signal, and Intl formatting. */
import { signal } from '@preact/signals';
import en from '../i18n/en.json';
import ja from '../i18n/ja.json';
import pt from '../i18n/pt.json';
import ru from '../i18n/ru.json';
import th from '../i18n/th.json';

export const catalogues = { en, ja, pt, ru, th } as const;
export type Language = keyof typeof catalogues;
export type MessageKey = keyof typeof en;
export const LANGUAGES = Object.keys(catalogues) as Language[];
/** Each language's name in itself, for the switcher. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ja: '日本語', pt: 'Português', ru: 'Русский', th: 'ไทย' };

const STORAGE = 'hookpost.language';

/** sessionStorage can be refused (e.g. a framed portal with third-party storage blocked): then the choice lasts the page. */
function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE);
  } catch {
    return null;
  }
}

export function pickLanguage(preferred: readonly string[], saved?: string | null): Language {
  for (const tag of [saved ?? '', ...preferred]) {
    const base = tag.toLowerCase().split('-')[0] as Language;
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

export const language = signal<Language>(
  typeof navigator === 'undefined' ? 'en' : pickLanguage(navigator.languages ?? [navigator.language], stored()),
);

export function setLanguage(next: Language): void {
  language.value = next;
  try {
    sessionStorage.setItem(STORAGE, next);
  } catch {
    // kept in memory only
  }
  document.documentElement.lang = next;
}

const missing = new Set<string>();

/** The message for `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const catalogue = catalogues[language.value] as Record<string, string>;
  let text = catalogue[key];
  if (text === undefined) {
    missing.add(`${language.value}:${key}`);
    // Tests read this to prove no key is missing in any language.
    document.documentElement.dataset.missingMessages = [...missing].join(' ');
    text = (en as Record<string, string>)[key] ?? key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    return value === undefined ? `{${name}}` : typeof value === 'number' ? formatNumber(value) : value;
  });
}

export const formatNumber = (value: number): string => new Intl.NumberFormat(language.value).format(value);
export const formatPercent = (value: number): string =>
  new Intl.NumberFormat(language.value, { style: 'percent', maximumFractionDigits: 1 }).format(value);
export const formatDate = (iso: string): string =>
  new Intl.DateTimeFormat(language.value, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
export const formatTime = (ms: number): string => new Intl.DateTimeFormat(language.value, { hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
export const formatDuration = (ms: number): string =>
  new Intl.NumberFormat(language.value, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 }).format(ms);
