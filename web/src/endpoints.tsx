/** Endpoints: the list (URL, description, event types, status, 24 h success), add, edit, enable/disable, delete. */
import { useState } from 'preact/hooks';
import { TenantTable } from './admin.tsx';
import { api, isAdmin, ok, session, type Stats, type Subscription } from './api.ts';
import { formatPercent, t } from './i18n.ts';
import { formRefusal } from './refusals.ts';
import { Breakable, confirmAction, ErrorText, FieldError, go, href, Loading, useAction, useLoad, useCursorPages } from './ui.tsx';

/** The tenant on screen: fixed for tenant keys and portal tokens, chosen by admins. */
export const fixedTenant = (): string | undefined => session.value?.tenant;

function TenantPicker({ tenant }: { tenant?: string }) {
  const tenants = useLoad(() => ok(api().GET('/v1/tenants', { params: { query: { limit: 100 } } })), []);
  const [value, setValue] = useState(tenant ?? '');
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) go('endpoints', value.trim());
      }}
    >
      <label for="tenant-pick">{t('endpoints.tenant')}</label>
      <input id="tenant-pick" list="tenant-list" value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} pattern="[A-Za-z0-9_\-]{1,64}" required />
      <datalist id="tenant-list">
        {tenants.data?.items.map((item) => (
          <option key={item.tenant} value={item.tenant} />
        ))}
      </datalist>
      <button type="submit" class="secondary">
        {t('endpoints.showTenant')}
      </button>
    </form>
  );
}

export function EndpointsScreen({ tenant: chosen }: { tenant?: string }) {
  const tenant = fixedTenant() ?? chosen;
  if (!tenant) {
    // An admin with no tenant chosen: the tenants that have endpoints, to open one, and the box for any other.
    return (
      <section aria-labelledby="endpoints-title">
        <h1 id="endpoints-title">{t('endpoints.title')}</h1>
        <p>{t('endpoints.pickTenant')}</p>
        <TenantTable />
        <h2 class="spaced">{t('endpoints.otherTenant')}</h2>
        <TenantPicker />
      </section>
    );
  }
  return <EndpointList tenant={tenant} />;
}

function statusText(subscription: Subscription): string {
  if (subscription.enabled) return t('endpoints.enabled');
  return subscription.disabledReason ? t('endpoints.disabledBecause', { reason: subscription.disabledReason }) : t('endpoints.disabled');
}

function SuccessRate({ tenant, id }: { tenant: string; id: string }) {
  const stats = useLoad<Stats>(() => ok(api().GET('/v1/tenants/{tenant}/subscriptions/{id}/stats', { params: { path: { tenant, id } } })), [tenant, id]);
  if (!stats.data) return <span>…</span>;
  const { successRate, attempts } = stats.data;
  return <span>{successRate === null ? t('endpoints.noAttempts') : t('endpoints.rate', { rate: formatPercent(successRate), attempts })}</span>;
}

function EndpointList({ tenant }: { tenant: string }) {
  const { cursor, pager } = useCursorPages();
  const page = useLoad(
    () => ok(api().GET('/v1/tenants/{tenant}/subscriptions', { params: { path: { tenant }, query: { limit: 20, ...(cursor ? { cursor } : {}) } } })),
    [tenant, cursor],
  );
  const [editing, setEditing] = useState<Subscription | 'new' | undefined>();
  const [created, setCreated] = useState<string | undefined>();
  const [toggle, , toggleError] = useAction(async (subscription: Subscription) => {
    await ok(api().PATCH('/v1/tenants/{tenant}/subscriptions/{id}', { params: { path: { tenant, id: subscription.id } }, body: { enabled: !subscription.enabled } }));
    page.reload();
  });
  const [remove, , removeError] = useAction(async (subscription: Subscription) => {
    if (!(await confirmAction(t('endpoints.deleteConfirm', { url: subscription.url }), t('common.delete')))) return;
    await ok(api().DELETE('/v1/tenants/{tenant}/subscriptions/{id}', { params: { path: { tenant, id: subscription.id } } }));
    page.reload();
  });

  return (
    <section aria-labelledby="endpoints-title">
      <div class="title-row">
        <h1 id="endpoints-title">{t('endpoints.title')}</h1>
        <button type="button" onClick={() => setEditing('new')} disabled={editing !== undefined}>
          {t('endpoints.add')}
        </button>
      </div>
      {isAdmin() && <TenantPicker tenant={tenant} />}
      {isAdmin() && <p class="hint">{t('endpoints.ofTenant', { tenant })}</p>}
      {editing && (
        <EndpointForm
          tenant={tenant}
          subscription={editing === 'new' ? undefined : editing}
          onDone={(id) => {
            setEditing(undefined);
            if (id) setCreated(id);
            page.reload();
          }}
        />
      )}
      {created && (
        <p role="status" class="notice">
          {t('endpoints.created')} <a href={href('endpoints', tenant, created)}>{t('endpoints.open')}</a>
        </p>
      )}
      <ErrorText error={toggleError ?? removeError} />
      <Loading loaded={page}>
        {(data) =>
          data.items.length === 0 ? (
            <p>{t('endpoints.empty')}</p>
          ) : (
            <>
              <table class="cards">
                <thead>
                  <tr>
                    <th scope="col">{t('endpoints.url')}</th>
                    <th scope="col">{t('endpoints.description')}</th>
                    <th scope="col">{t('endpoints.eventTypes')}</th>
                    <th scope="col">{t('endpoints.status')}</th>
                    <th scope="col">{t('endpoints.successRate')}</th>
                    <th scope="col">{t('common.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((subscription) => (
                    <tr key={subscription.id}>
                      <td class="url" data-label={t('endpoints.url')}>
                        <a href={href('endpoints', tenant, subscription.id)}>
                          <Breakable text={subscription.url} />
                        </a>
                      </td>
                      <td data-label={t('endpoints.description')}>{subscription.description}</td>
                      <td data-label={t('endpoints.eventTypes')}>
                        {subscription.eventTypes.map((type) => (
                          <code key={type} class="tag">
                            <Breakable text={type} />
                          </code>
                        ))}
                      </td>
                      <td data-label={t('endpoints.status')}>
                        <span class={subscription.enabled ? 'badge good' : 'badge bad'}>{statusText(subscription)}</span>
                      </td>
                      <td data-label={t('endpoints.successRate')}>
                        <SuccessRate tenant={tenant} id={subscription.id} />
                      </td>
                      <td class="row-actions">
                        <button type="button" class="secondary" onClick={() => setEditing(subscription)} aria-label={t('endpoints.editOne', { url: subscription.url })}>
                          {t('common.edit')}
                        </button>
                        <button type="button" class="secondary" onClick={() => toggle(subscription)} aria-label={t(subscription.enabled ? 'endpoints.disableOne' : 'endpoints.enableOne', { url: subscription.url })}>
                          {subscription.enabled ? t('endpoints.disable') : t('endpoints.enable')}
                        </button>
                        <button type="button" class="danger" onClick={() => remove(subscription)} aria-label={t('endpoints.deleteOne', { url: subscription.url })}>
                          {t('common.delete')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p class="hint">{t('endpoints.testsNotCounted')}</p>
              {pager(data.nextCursor)}
            </>
          )
        }
      </Loading>
    </section>
  );
}

interface HeaderRow {
  name: string;
  value: string;
}

type Controls = Pick<Subscription, 'filter' | 'retrySchedule' | 'timeoutMs' | 'rateLimit'>;
type ControlField = keyof Controls;
/** The form's fields that show their own error, as the API's body names them (a refusal's `details[].path` starts with one). */
const FIELDS = ['url', 'description', 'eventTypes', 'headers', 'filter', 'retrySchedule', 'timeoutMs', 'rateLimit'] as const;
type Field = (typeof FIELDS)[number];
type FieldErrors = Partial<Record<Field, string>>;

/**
 * The delivery controls as typed: an empty field is "use the global setting" (absent on create, null on edit).
 * Returns the values to send, or what is wrong with each field.
 */
function readControls(text: { filter: string; retrySchedule: string; timeoutMs: string; rateLimit: string }, clear: boolean): { values: { [K in ControlField]?: Controls[K] | null }; errors: FieldErrors } {
  const values: { [K in ControlField]?: Controls[K] | null } = {};
  const errors: FieldErrors = {};
  const empty = clear ? null : undefined;
  const filter = text.filter.trim();
  if (!filter) values.filter = empty;
  else {
    try {
      const parsed: unknown = JSON.parse(filter);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) values.filter = parsed as Controls['filter'];
      else errors.filter = t('endpoints.filterNotObject');
    } catch {
      errors.filter = t('endpoints.filterNotJson');
    }
  }
  const waits = text.retrySchedule.split(',').map((part) => part.trim()).filter(Boolean);
  if (waits.length === 0) values.retrySchedule = empty;
  else if (waits.every((wait) => /^\d+$/.test(wait))) values.retrySchedule = waits.map(Number);
  else errors.retrySchedule = t('endpoints.scheduleNotNumbers');
  const timeout = text.timeoutMs.trim();
  if (!timeout) values.timeoutMs = empty;
  else if (/^\d+$/.test(timeout)) values.timeoutMs = Number(timeout);
  else errors.timeoutMs = t('endpoints.timeoutNotNumber');
  const rate = text.rateLimit.trim();
  if (!rate) values.rateLimit = empty;
  else if (/^\d+$/.test(rate)) values.rateLimit = Number(rate);
  else errors.rateLimit = t('endpoints.rateLimitNotNumber');
  for (const key of Object.keys(values) as ControlField[]) if (values[key] === undefined) delete values[key];
  return { values, errors };
}

/** What the browser can tell before sending: a URL is given and is an absolute http(s) URL, and some event type is chosen. */
function readBasics(url: string, eventTypes: string[]): FieldErrors {
  const errors: FieldErrors = {};
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // not an absolute URL
  }
  if (!url) errors.url = t('field.required');
  else if (!parsed) errors.url = t('field.urlInvalid');
  else if (!/^https?:$/.test(parsed.protocol)) errors.url = t('field.urlHttps');
  if (eventTypes.length === 0) errors.eventTypes = t('field.pickEventType');
  return errors;
}

/** A whole-number delivery control: its label, the input, its hint and its own error. */
function WholeNumberControl(props: {
  field: 'timeoutMs' | 'rateLimit';
  label: string;
  hint: string;
  min: number;
  max: number;
  value: string;
  onInput(value: string): void;
  describedBy?: string;
  error?: string;
}) {
  const { field } = props;
  return (
    <>
      <label for={`ep-${field}`}>{props.label}</label>
      <input
        id={`ep-${field}`}
        type="number"
        min={props.min}
        max={props.max}
        step={1}
        value={props.value}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        aria-describedby={props.describedBy}
        aria-invalid={props.error ? true : undefined}
      />
      <span class="hint" id={`ep-${field}-hint`}>
        {props.hint}
      </span>
      <FieldError id={`ep-${field}-error`} error={props.error} />
    </>
  );
}

/**
 * The catalogue's types an endpoint of `tenant` can be given: Hookpost's own (`hookpost.*`) are
 * published only into the reserved `_…` tenants, so elsewhere they are offered only if already chosen.
 */
export function offeredTypes<T extends { type: string; builtIn?: boolean }>(items: T[], tenant: string, chosen: string[]): T[] {
  return items.filter((item) => !item.builtIn || tenant.startsWith('_') || chosen.includes(item.type));
}

/** Add or edit an endpoint: URL, description, event types (checkboxes + typed patterns), custom headers, enabled, delivery controls. */
export function EndpointForm({ tenant, subscription, onDone }: { tenant: string; subscription?: Subscription; onDone(createdId?: string): void }) {
  const catalogue = useLoad(() => ok(api().GET('/v1/event-types')), []);
  const [url, setUrl] = useState(subscription?.url ?? '');
  const [description, setDescription] = useState(subscription?.description ?? '');
  const [types, setTypes] = useState<string[]>(subscription?.eventTypes ?? []);
  const [patterns, setPatterns] = useState('');
  const [headers, setHeaders] = useState<HeaderRow[]>(Object.entries(subscription?.headers ?? {}).map(([name, value]) => ({ name, value })));
  const [enabled, setEnabled] = useState(subscription?.enabled ?? true);
  const [filter, setFilter] = useState(subscription?.filter ? JSON.stringify(subscription.filter, null, 2) : '');
  const [retrySchedule, setRetrySchedule] = useState(subscription?.retrySchedule?.join(', ') ?? '');
  const [timeoutMs, setTimeoutMs] = useState(subscription?.timeoutMs === undefined ? '' : String(subscription.timeoutMs));
  const [rateLimit, setRateLimit] = useState(subscription?.rateLimit === undefined ? '' : String(subscription.rateLimit));
  const [signingAlgorithm, setSigningAlgorithm] = useState<'hmac-sha256' | 'ed25519'>('hmac-sha256');
  const [ordering, setOrdering] = useState<'none' | 'fifo'>(subscription?.ordering ?? 'none');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const known = new Set(catalogue.data?.items.map((item) => item.type) ?? []);
  const typed = patterns.split(/[\s,]+/).filter(Boolean);
  const [save, busy, error] = useAction(async () => {
    const controls = readControls({ filter, retrySchedule, timeoutMs, rateLimit }, subscription !== undefined);
    const eventTypes = [...new Set([...types, ...typed])];
    const found = { ...readBasics(url.trim(), eventTypes), ...controls.errors };
    setFieldErrors(found);
    if (Object.keys(found).length > 0) throw new Error(t('endpoints.fixFields'));
    let sent: unknown;
    const body = {
      url: url.trim(),
      description,
      eventTypes,
      headers: Object.fromEntries(headers.filter((h) => h.name.trim()).map((h) => [h.name.trim(), h.value])),
    };
    try {
      if (subscription) {
        // `enabled` only when changed: re-sending "disabled" would clear why the endpoint was disabled.
        const patch = { ...body, ...controls.values, ordering, ...(enabled === subscription.enabled ? {} : { enabled }) };
        sent = patch;
        await ok(api().PATCH('/v1/tenants/{tenant}/subscriptions/{id}', { params: { path: { tenant, id: subscription.id } }, body: patch }));
        onDone();
      } else {
        const { values } = controls;
        const create = {
          ...body,
          enabled,
          ...(values.filter ? { filter: values.filter } : {}),
          ...(values.retrySchedule ? { retrySchedule: values.retrySchedule } : {}),
          ...(values.timeoutMs ? { timeoutMs: values.timeoutMs } : {}),
          ...(values.rateLimit ? { rateLimit: values.rateLimit } : {}),
          ...(signingAlgorithm === 'ed25519' ? { signingAlgorithm } : {}),
          ...(ordering === 'fifo' ? { ordering } : {}),
        };
        sent = create;
        const made = await ok(api().POST('/v1/tenants/{tenant}/subscriptions', { params: { path: { tenant } }, body: create }));
        onDone(made.id);
      }
    } catch (failure) {
      // Each refused field says why next to itself; the banner says only what no field took.
      // Each refused field says why next to itself; the banner says only what no field took.
      throw formRefusal(failure, FIELDS, sent, setFieldErrors);
    }
  });
  const described = (field: Field, hint = true) => [hint ? `ep-${field}-hint` : '', fieldErrors[field] ? `ep-${field}-error` : ''].filter(Boolean).join(' ') || undefined;
  const invalid = (field: Field) => (fieldErrors[field] ? true : undefined);
  const toggleType = (type: string, on: boolean) => setTypes(on ? [...types, type] : types.filter((x) => x !== type));
  const setHeader = (i: number, row: Partial<HeaderRow>) => setHeaders(headers.map((h, j) => (j === i ? { ...h, ...row } : h)));
  const extra = types.filter((type) => !known.has(type));

  return (
    <form
      class="card"
      aria-labelledby="endpoint-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 id="endpoint-form-title">{subscription ? t('endpoints.editTitle') : t('endpoints.addTitle')}</h2>
      <label for="ep-url">{t('endpoints.url')}</label>
      <input
        id="ep-url"
        type="url"
        value={url}
        onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)}
        required
        placeholder="https://example.com/webhooks"
        aria-describedby={described('url', false)}
        aria-invalid={invalid('url')}
      />
      <FieldError id="ep-url-error" error={fieldErrors.url} />
      <label for="ep-description">{t('endpoints.description')}</label>
      <input
        id="ep-description"
        value={description}
        onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)}
        aria-describedby={described('description', false)}
        aria-invalid={invalid('description')}
      />
      <FieldError id="ep-description-error" error={fieldErrors.description} />
      <fieldset aria-describedby={described('eventTypes', false)}>
        <legend>{t('endpoints.eventTypes')}</legend>
        <Loading loaded={catalogue}>
          {(data) => (
            <ul class="checks">
              {offeredTypes(data.items, tenant, subscription?.eventTypes ?? []).map((item) => (
                <li key={item.type}>
                  <input type="checkbox" id={`type-${item.type}`} checked={types.includes(item.type)} onChange={(e) => toggleType(item.type, (e.currentTarget as HTMLInputElement).checked)} aria-describedby={item.description ? `type-desc-${item.type}` : undefined} />
                  <label for={`type-${item.type}`}>
                    <Breakable text={item.type} />
                  </label>
                  {item.description && (
                    <span class="hint" id={`type-desc-${item.type}`}>
                      {item.description}
                    </span>
                  )}
                </li>
              ))}
              {data.items.length === 0 && <li class="hint">{t('endpoints.noCatalogue')}</li>}
            </ul>
          )}
        </Loading>
        {extra.length > 0 && (
          <p class="hint">
            {t('endpoints.alsoWants')}{' '}
            {extra.map((type) => (
              <button key={type} type="button" class="tag-button" onClick={() => toggleType(type, false)} aria-label={t('endpoints.removePattern', { pattern: type })}>
                {type} ×
              </button>
            ))}
          </p>
        )}
        <label for="ep-patterns">{t('endpoints.patterns')}</label>
        <input id="ep-patterns" value={patterns} onInput={(e) => setPatterns((e.currentTarget as HTMLInputElement).value)} placeholder="user.*, site.created" aria-describedby="ep-patterns-hint" />
        <span class="hint" id="ep-patterns-hint">
          {t('endpoints.patternsHint')}
        </span>
        <FieldError id="ep-eventTypes-error" error={fieldErrors.eventTypes} />
      </fieldset>
      <fieldset aria-describedby={described('headers', false)}>
        <legend>{t('endpoints.headers')}</legend>
        {headers.map((header, i) => (
          <div class="header-row" key={i}>
            <input aria-label={t('endpoints.headerName', { n: i + 1 })} value={header.name} onInput={(e) => setHeader(i, { name: (e.currentTarget as HTMLInputElement).value })} placeholder="x-customer" />
            <input aria-label={t('endpoints.headerValue', { n: i + 1 })} value={header.value} onInput={(e) => setHeader(i, { value: (e.currentTarget as HTMLInputElement).value })} />
            <button type="button" class="secondary" onClick={() => setHeaders(headers.filter((_, j) => j !== i))} aria-label={t('endpoints.removeHeader', { n: i + 1 })}>
              {t('common.remove')}
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => setHeaders([...headers, { name: '', value: '' }])}>
          {t('endpoints.addHeader')}
        </button>
        <FieldError id="ep-headers-error" error={fieldErrors.headers} />
      </fieldset>
      <fieldset>
        <legend>{t('endpoints.delivery')}</legend>
        <p class="hint">{t('endpoints.deliveryHint')}</p>
        <label for="ep-filter">{t('endpoints.filter')}</label>
        <textarea
          id="ep-filter"
          rows={4}
          value={filter}
          onInput={(e) => setFilter((e.currentTarget as HTMLTextAreaElement).value)}
          placeholder='{"data": {"amount": {"$gte": 100}}}'
          aria-describedby={described('filter')}
          aria-invalid={invalid('filter')}
          spellcheck={false}
        />
        <span class="hint" id="ep-filter-hint">
          {t('endpoints.filterHint')}
        </span>
        <FieldError id="ep-filter-error" error={fieldErrors.filter} />
        <label for="ep-retrySchedule">{t('endpoints.retrySchedule')}</label>
        <input
          id="ep-retrySchedule"
          value={retrySchedule}
          onInput={(e) => setRetrySchedule((e.currentTarget as HTMLInputElement).value)}
          placeholder="10, 60, 600"
          inputMode="numeric"
          aria-describedby={described('retrySchedule')}
          aria-invalid={invalid('retrySchedule')}
        />
        <span class="hint" id="ep-retrySchedule-hint">
          {t('endpoints.retryScheduleHint')}
        </span>
        <FieldError id="ep-retrySchedule-error" error={fieldErrors.retrySchedule} />
        <WholeNumberControl
          field="timeoutMs"
          label={t('endpoints.timeoutMs')}
          hint={t('endpoints.timeoutMsHint')}
          min={1000}
          max={30000}
          value={timeoutMs}
          onInput={setTimeoutMs}
          describedBy={described('timeoutMs')}
          error={fieldErrors.timeoutMs}
        />
        <WholeNumberControl
          field="rateLimit"
          label={t('endpoints.rateLimit')}
          hint={t('endpoints.rateLimitHint')}
          min={1}
          max={1000}
          value={rateLimit}
          onInput={setRateLimit}
          describedBy={described('rateLimit')}
          error={fieldErrors.rateLimit}
        />
        <label for="ep-ordering">{t('endpoints.ordering')}</label>
        <select id="ep-ordering" value={ordering} onChange={(e) => setOrdering((e.currentTarget as HTMLSelectElement).value as typeof ordering)} aria-describedby="ep-ordering-hint">
          <option value="none">{t('endpoints.orderingNone')}</option>
          <option value="fifo">{t('endpoints.orderingFifo')}</option>
        </select>
        <span class="hint" id="ep-ordering-hint">
          {t('endpoints.orderingHint')}
        </span>
        {!subscription && (
          <>
            <label for="ep-signing">{t('endpoints.signing')}</label>
            <select id="ep-signing" value={signingAlgorithm} onChange={(e) => setSigningAlgorithm((e.currentTarget as HTMLSelectElement).value as typeof signingAlgorithm)} aria-describedby="ep-signing-hint">
              <option value="hmac-sha256">{t('endpoints.signingHmac')}</option>
              <option value="ed25519">{t('endpoints.signingEd')}</option>
            </select>
            <span class="hint" id="ep-signing-hint">
              {t('endpoints.signingHint')}
            </span>
          </>
        )}
      </fieldset>
      <div class="check-line">
        <input type="checkbox" id="ep-enabled" checked={enabled} onChange={(e) => setEnabled((e.currentTarget as HTMLInputElement).checked)} />
        <label for="ep-enabled">{t('endpoints.enabled')}</label>
      </div>
      <ErrorText error={error} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {subscription ? t('common.save') : t('endpoints.create')}
        </button>
        <button type="button" class="secondary" onClick={() => onDone()}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
