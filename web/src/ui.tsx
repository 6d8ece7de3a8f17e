/** Small shared pieces: data loading, errors, copy, confirmation dialog, the route. */
import { signal } from '@preact/signals';
import { type ComponentChildren, Fragment } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from './api.ts';
import { t } from './i18n.ts';
import { failureMessage } from './refusals.ts';

/* ---------- route (hash based: #/endpoints, #/endpoints/<tenant>/<id>, …) ---------- */

export const route = signal<string[]>(parseHash());

function parseHash(): string[] {
  if (typeof location === 'undefined') return [];
  const raw = location.hash.replace(/^#\/?/, '');
  if (raw.startsWith('token=')) return [];
  return raw.split('/').filter(Boolean).map(decodeURIComponent);
}

if (typeof window !== 'undefined') window.addEventListener('hashchange', () => (route.value = parseHash()));

export const href = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join('/')}`;
export function go(...parts: string[]): void {
  location.hash = href(...parts);
}

/* ---------- loading ---------- */

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload(): void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error: messageOf(error), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((n) => n + 1), []) };
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiFailure) return failureMessage(error);
  return error instanceof Error ? error.message : String(error);
}

/** Runs an action, showing its error; returns a [run, busy, error] triple. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<void>): [(...args: A) => Promise<void>, boolean, string | undefined] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await action(...args);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error];
}

export const ErrorText = ({ error }: { error?: string }) =>
  error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;

/** A field's own error, next to it (the control points at it with aria-describedby). */
export const FieldError = ({ id, error }: { id: string; error?: string }) =>
  error ? (
    <p class="error field-error" id={id} role="alert">
      {error}
    </p>
  ) : null;

/**
 * A URL or a dotted name that may wrap only after its separators (`/`, `.`, `?`, `&`, `=`, `-`, `_`,
 * `#`), never in the middle of a word; CSS breaks a single overlong word only as a last resort.
 */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=[/.?&=#_-])/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </>
  );
}

export function Loading<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (loaded.error) return <ErrorText error={loaded.error} />;
  if (loaded.data === undefined) return <p aria-busy="true">{t('common.loading')}</p>;
  return <>{children(loaded.data)}</>;
}

/* ---------- copy ---------- */

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard refused (no permission, insecure context): the text is on screen to select.
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <button type="button" class="secondary" onClick={copy}>
      {copied ? t('common.copied') : (label ?? t('common.copy'))}
    </button>
  );
}

/* ---------- confirmation (native <dialog>, modal, labelled) ---------- */

interface ConfirmRequest {
  message: string;
  confirm: string;
  resolve(ok: boolean): void;
}

const confirmRequest = signal<ConfirmRequest | undefined>(undefined);

export const confirmAction = (message: string, confirm: string): Promise<boolean> =>
  new Promise((resolve) => {
    confirmRequest.value = { message, confirm, resolve };
  });

export function ConfirmDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const request = confirmRequest.value;
  useEffect(() => {
    const dialog = ref.current;
    if (request && dialog && !dialog.open) dialog.showModal();
    if (!request && dialog?.open) dialog.close();
  }, [request]);
  const answer = (ok: boolean) => {
    request?.resolve(ok);
    confirmRequest.value = undefined;
  };
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={() => answer(false)}>
      <h2 id="confirm-title">{t('common.confirmTitle')}</h2>
      <p>{request?.message}</p>
      <div class="actions">
        <button type="button" class="danger" onClick={() => answer(true)}>
          {request?.confirm}
        </button>
        <button type="button" class="secondary" onClick={() => answer(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}

/** Pretty JSON for display (always rendered as text). */
/**
 * Cursor paging over an API list: the cursor of the page shown, and a pager that goes on with the
 * page's `nextCursor` and back through the cursors already seen. `reset` returns to the first page.
 */
export function useCursorPages() {
  const [cursor, setCursor] = useState<string | undefined>();
  const [previous, setPrevious] = useState<Array<string | undefined>>([]);
  const reset = useCallback(() => {
    setCursor(undefined);
    setPrevious([]);
  }, []);
  const pager = (nextCursor: string | undefined) => (
    <div class="pager">
      {previous.length > 0 && (
        <button type="button" class="secondary" onClick={() => { setCursor(previous.at(-1)); setPrevious(previous.slice(0, -1)); }}>
          {t('common.previous')}
        </button>
      )}
      {nextCursor && (
        <button type="button" class="secondary" onClick={() => { setPrevious([...previous, cursor]); setCursor(nextCursor); }}>
          {t('common.next')}
        </button>
      )}
    </div>
  );
  return { cursor, reset, pager };
}

export const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/** A block of JSON or response text. It can scroll, so it takes keyboard focus (arrow keys scroll it). */
export const Excerpt = ({ children, testId }: { children: ComponentChildren; testId?: string }) => (
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
  <pre class="excerpt" tabIndex={0} data-testid={testId}>
    {children}
  </pre>
);
