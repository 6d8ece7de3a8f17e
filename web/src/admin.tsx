/** Admin-only screens: tenants, dead letters, API keys, portal links. */
import { useState } from 'preact/hooks';
import { type ApiKey, api, ok } from './api.ts';
import { formatDate, formatNumber, t } from './i18n.ts';
import { CopyButton, confirmAction, ErrorText, href, Loading, pretty, useAction, useLoad, useCursorPages } from './ui.tsx';

export function TenantsScreen() {
  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">{t('tenants.title')}</h1>
      <p class="hint">{t('tenants.hint')}</p>
      <TenantTable />
    </section>
  );
}

/** The tenants with endpoints, a page at a time: each opens its endpoints; admins make portal links from here. */
export function TenantTable() {
  const { cursor, pager } = useCursorPages();
  const page = useLoad(() => ok(api().GET('/v1/tenants', { params: { query: { limit: 25, ...(cursor ? { cursor } : {}) } } })), [cursor]);
  return (
    <Loading loaded={page}>
      {(data) =>
        data.items.length === 0 ? (
          <p>{t('tenants.empty')}</p>
        ) : (
          <>
            <table class="cards">
              <thead>
                <tr>
                  <th scope="col">{t('tenants.tenant')}</th>
                  <th scope="col">{t('tenants.endpoints')}</th>
                  <th scope="col">{t('tenants.since')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((item) => (
                  <tr key={item.tenant}>
                    <td data-label={t('tenants.tenant')}>
                      <a href={href('endpoints', item.tenant)}>{item.tenant}</a>
                    </td>
                    <td data-label={t('tenants.endpoints')}>{formatNumber(item.endpoints)}</td>
                    <td data-label={t('tenants.since')}>{formatDate(item.createdAt)}</td>
                    <td class="row-actions">
                      <a href={href('portal-links', item.tenant)}>{t('tenants.portalLink')}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {pager(data.nextCursor)}
          </>
        )
      }
    </Loading>
  );
}

interface DeadLetterView {
  reason?: string;
  deadLetteredAt?: string;
  message?: { message?: { id?: string; type?: string; tenant?: string }; subscriptionId?: string };
  lastAttempt?: { statusCode?: number; error?: string; timestamp?: string; status?: string };
}

export function DeadLettersScreen() {
  const list = useLoad(() => ok(api().GET('/v1/dead-letters', { params: { query: { limit: 10 } } })), []);
  const [result, setResult] = useState<string | undefined>();
  const [redrive, busy, error] = useAction(async () => {
    if (!(await confirmAction(t('dead.redriveConfirm'), t('dead.redrive')))) return;
    const done = await ok(api().POST('/v1/dead-letters/redrive'));
    setResult(done.mode === 'local' ? t('dead.moved', { count: done.moved ?? 0 }) : t('dead.started'));
    list.reload();
  });
  // Redrive only when there is something to send back (the count is SQS's estimate; a listed item counts too).
  const none = list.data !== undefined && list.data.approximateCount === 0 && list.data.items.length === 0;
  return (
    <section aria-labelledby="dead-title">
      <div class="title-row">
        <h1 id="dead-title">{t('dead.title')}</h1>
        {!none && (
          <button type="button" onClick={() => redrive()} disabled={busy || list.data === undefined}>
            {t('dead.redrive')}
          </button>
        )}
      </div>
      <p class="hint">{t('dead.hint')}</p>
      {result && (
        <p role="status" class="notice">
          {result}
        </p>
      )}
      <ErrorText error={error} />
      <Loading loaded={list}>
        {(data) => (
          <>
            <p data-testid="dead-count">{none ? t('dead.none') : t('dead.count', { count: Math.max(data.approximateCount, data.items.length) })}</p>
            {data.items.length > 0 && (
              <table class="cards">
                <thead>
                  <tr>
                    <th scope="col">{t('dead.reason')}</th>
                    <th scope="col">{t('log.type')}</th>
                    <th scope="col">{t('tenants.tenant')}</th>
                    <th scope="col">{t('dead.lastAttempt')}</th>
                    <th scope="col">{t('dead.at')}</th>
                  </tr>
                </thead>
                <tbody>
                  {(data.items as DeadLetterView[]).map((item, i) => (
                    <tr key={item.message?.message?.id ?? i}>
                      <td data-label={t('dead.reason')}>{item.reason ?? pretty(item)}</td>
                      <td data-label={t('log.type')}>{item.message?.message?.type}</td>
                      <td data-label={t('tenants.tenant')}>{item.message?.message?.tenant}</td>
                      <td data-label={t('dead.lastAttempt')}>
                        {item.lastAttempt
                          ? [item.lastAttempt.statusCode, item.lastAttempt.error, item.lastAttempt.timestamp ? formatDate(item.lastAttempt.timestamp) : undefined].filter((x) => x !== undefined).join(' · ')
                          : '—'}
                      </td>
                      <td data-label={t('dead.at')}>{item.deadLetteredAt ? formatDate(item.deadLetteredAt) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Loading>
    </section>
  );
}

export function ApiKeysScreen() {
  const list = useLoad(() => ok(api().GET('/v1/api-keys')), []);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiKey['scope']>('publish');
  const [tenant, setTenant] = useState('');
  const [created, setCreated] = useState<string | undefined>();
  const [create, busy, error] = useAction(async () => {
    const made = await ok(api().POST('/v1/api-keys', { body: { name, scope, ...(scope === 'tenant' ? { tenant } : {}) } }));
    setCreated(made.key);
    setName('');
    list.reload();
  });
  const [remove, , removeError] = useAction(async (key: ApiKey) => {
    if (!(await confirmAction(t('keys.deleteConfirm', { name: key.name }), t('common.delete')))) return;
    await ok(api().DELETE('/v1/api-keys/{id}', { params: { path: { id: key.id } } }));
    list.reload();
  });
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">{t('keys.title')}</h1>
      <form
        class="card"
        aria-labelledby="key-form-title"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <h2 id="key-form-title">{t('keys.create')}</h2>
        <label for="key-name">{t('keys.name')}</label>
        <input id="key-name" value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} required />
        <label for="key-scope">{t('keys.scope')}</label>
        <select id="key-scope" value={scope} onChange={(e) => setScope((e.currentTarget as HTMLSelectElement).value as ApiKey['scope'])}>
          <option value="publish">{t('keys.scopePublish')}</option>
          <option value="tenant">{t('keys.scopeTenant')}</option>
          <option value="admin">{t('keys.scopeAdmin')}</option>
        </select>
        {scope === 'tenant' && (
          <>
            <label for="key-tenant">{t('tenants.tenant')}</label>
            <input id="key-tenant" value={tenant} onInput={(e) => setTenant((e.currentTarget as HTMLInputElement).value)} required />
          </>
        )}
        <ErrorText error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t('keys.createButton')}
          </button>
        </div>
        {created && (
          <div role="status" class="notice">
            <p>{t('keys.shownOnce')}</p>
            <p>
              <code class="secret" data-testid="new-key">
                {created}
              </code>{' '}
              <CopyButton text={created} />
            </p>
          </div>
        )}
      </form>
      <ErrorText error={removeError} />
      <Loading loaded={list}>
        {(data) => (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('keys.name')}</th>
                <th scope="col">{t('keys.scope')}</th>
                <th scope="col">{t('tenants.tenant')}</th>
                <th scope="col">{t('keys.created')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>{key.scope}</td>
                  <td>{key.tenant ?? '—'}</td>
                  <td>{formatDate(key.createdAt)}</td>
                  <td>
                    <button type="button" class="danger" onClick={() => remove(key)} aria-label={t('keys.deleteOne', { name: key.name })}>
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loading>
    </section>
  );
}

export function PortalLinksScreen({ tenant: initial }: { tenant?: string }) {
  const [tenant, setTenant] = useState(initial ?? '');
  const [hours, setHours] = useState('1');
  const [link, setLink] = useState<{ url: string; expiresAt: string } | undefined>();
  const [create, busy, error] = useAction(async () => {
    const made = await ok(
      api().POST('/v1/tenants/{tenant}/portal-sessions', { params: { path: { tenant: tenant.trim() } }, body: { expiresInSeconds: Number(hours) * 3600 } }),
    );
    setLink({ url: made.url, expiresAt: made.expiresAt });
  });
  return (
    <section aria-labelledby="links-title">
      <h1 id="links-title">{t('links.title')}</h1>
      <p class="hint">{t('links.hint')}</p>
      <form
        class="card"
        aria-labelledby="links-form-title"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <h2 id="links-form-title">{t('links.create')}</h2>
        <label for="link-tenant">{t('tenants.tenant')}</label>
        <input id="link-tenant" value={tenant} onInput={(e) => setTenant((e.currentTarget as HTMLInputElement).value)} required />
        <label for="link-hours">{t('links.expiresIn')}</label>
        <select id="link-hours" value={hours} onChange={(e) => setHours((e.currentTarget as HTMLSelectElement).value)}>
          {['1', '4', '8', '24'].map((h) => (
            <option key={h} value={h}>
              {t('links.hours', { hours: Number(h) })}
            </option>
          ))}
        </select>
        <ErrorText error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t('links.createButton')}
          </button>
        </div>
        {link && (
          <div role="status" class="notice">
            <p>{t('links.expires', { at: formatDate(link.expiresAt) })}</p>
            <p>
              <code class="secret" data-testid="portal-link">
                {link.url}
              </code>{' '}
              <CopyButton text={link.url} label={t('links.copy')} />
            </p>
            <p class="hint">{t('links.embed')}</p>
          </div>
        )}
      </form>
    </section>
  );
}
