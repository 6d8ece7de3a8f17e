/** Hookpost's admin console (/console) and tenant portal (/console/portal), one small Preact app. */
import { signal } from '@preact/signals';
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { endSession, isAdmin, openPortal, resumeConsole, session, sessionEnded, signIn } from './api.ts';
import { ApiKeysScreen, DeadLettersScreen, PortalLinksScreen, TenantsScreen } from './admin.tsx';
import { EventTypesScreen } from './catalogue.tsx';
import { EndpointDetail } from './endpoint-detail.tsx';
import { EndpointsScreen } from './endpoints.tsx';
import { LANGUAGE_NAMES, LANGUAGES, type Language, language, setLanguage, t } from './i18n.ts';
import { ConfirmDialog, href, messageOf, route } from './ui.tsx';
import './style.css';

const isPortal = location.pathname.replace(/\/+$/, '').endsWith('/console/portal');
/** Portal mode: checking the link, ready, or invalid (forged, expired, missing). */
const portalState = signal<'checking' | 'ready' | 'invalid'>('checking');

function LanguagePicker() {
  return (
    <label class="language">
      {t('nav.language')}{' '}
      <select value={language.value} onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as Language)}>
        {LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {LANGUAGE_NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}

function SignIn() {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(key.trim());
    } catch (failure) {
      const status = (failure as { status?: number }).status;
      setError(status === 401 || status === 403 ? t('signIn.wrongKey') : messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <div class="topline">
        <h1>{t('app.title')}</h1>
        <LanguagePicker />
      </div>
      <form onSubmit={submit} class="card">
        <h2>{t('signIn.title')}</h2>
        <p class="hint">{t('signIn.hint')}</p>
        {sessionEnded.value === 'expired' && !error && <p class="error" role="alert">{t('signIn.ended')}</p>}
        <label for="api-key">{t('signIn.apiKey')}</label>
        <input id="api-key" type="password" autocomplete="off" spellcheck={false} value={key} onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)} required />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}

function Nav() {
  const current = route.value[0] ?? 'endpoints';
  const links: Array<[string, string]> = [
    ['endpoints', t('nav.endpoints')],
    ['event-types', t('nav.eventTypes')],
  ];
  if (isAdmin()) {
    links.push(['tenants', t('nav.tenants')], ['dead-letters', t('nav.deadLetters')], ['api-keys', t('nav.apiKeys')], ['portal-links', t('nav.portalLinks')]);
  }
  return (
    <nav aria-label={t('nav.label')}>
      <ul>
        {links.map(([id, label]) => (
          <li key={id}>
            <a href={href(id)} aria-current={current === id ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Screen() {
  const [first = 'endpoints', ...rest] = route.value;
  const admin = isAdmin();
  switch (first) {
    case 'endpoints':
      // Keyed by tenant and id: another endpoint is a new detail page, so nothing of the last one (a
      // revealed secret, a rotation notice, a test result, a reply still in flight) can show under it.
      return rest.length === 2 ? (
        <EndpointDetail key={JSON.stringify([rest[0], rest[1]])} tenant={rest[0] ?? ''} id={rest[1] ?? ''} />
      ) : (
        <EndpointsScreen tenant={rest[0]} />
      );
    case 'event-types':
      return <EventTypesScreen />;
    case 'tenants':
      return admin ? <TenantsScreen /> : <NotFound />;
    case 'dead-letters':
      return admin ? <DeadLettersScreen /> : <NotFound />;
    case 'api-keys':
      return admin ? <ApiKeysScreen /> : <NotFound />;
    case 'portal-links':
      return admin ? <PortalLinksScreen tenant={rest[0]} /> : <NotFound />;
    default:
      return <NotFound />;
  }
}

const NotFound = () => <p>{t('common.notFound')}</p>;

function Shell() {
  const current = session.value;
  if (!current) return null;
  const who =
    current.mode === 'portal'
      ? t('header.portalFor', { tenant: current.tenant ?? '' })
      : current.scope === 'admin'
        ? t('header.admin')
        : t('header.tenant', { tenant: current.tenant ?? '' });
  return (
    <>
      <header>
        <div class="topline">
          <p class="brand">{current.mode === 'portal' ? t('app.portalTitle') : t('app.title')}</p>
          <p class="who">{who}</p>
          <LanguagePicker />
          {current.mode === 'console' && (
            <button type="button" class="secondary" onClick={() => endSession()}>
              {t('nav.signOut')}
            </button>
          )}
        </div>
        <Nav />
      </header>
      <main>{current.scope === 'publish' ? <p role="alert">{t('signIn.publishOnly')}</p> : <Screen />}</main>
    </>
  );
}

function App() {
  // Read the signals so the app re-renders on language, route and session changes.
  void language.value;
  void route.value;
  if (isPortal) {
    if (portalState.value === 'invalid' || (portalState.value === 'ready' && !session.value)) {
      return (
        <main class="signin">
          <h1>{t('app.portalTitle')}</h1>
          <p class="error" role="alert">
            {t('portal.invalid')}
          </p>
        </main>
      );
    }
    if (!session.value) return <p aria-busy="true">{t('common.loading')}</p>;
  } else if (!session.value) {
    return <SignIn />;
  }
  return (
    <>
      <Shell />
      <ConfirmDialog />
    </>
  );
}

/**
 * Portal mode: the token arrives in the fragment (never sent to a server); take it and drop it from the
 * address bar. Without one (a reload), the token this tab kept opens the portal on the screen it showed.
 */
async function openPortalFromAddress(): Promise<void> {
  const fromLink = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') ?? undefined;
  if (fromLink !== undefined || route.value.length === 0) {
    history.replaceState(null, '', `${location.pathname}#/endpoints`);
    route.value = ['endpoints'];
  }
  try {
    await openPortal(fromLink);
    portalState.value = 'ready';
  } catch {
    portalState.value = 'invalid';
  }
}

async function start(): Promise<void> {
  document.documentElement.lang = language.value;
  const root = document.getElementById('app');
  if (!root) return;
  render(<App />, root);
  if (isPortal) {
    // A new link in the same document (only its fragment changed) is taken the same way.
    window.addEventListener('hashchange', () => {
      if (/^#token=/.test(location.hash)) void openPortalFromAddress();
    });
    await openPortalFromAddress();
    return;
  }
  await resumeConsole();
}

void start();
