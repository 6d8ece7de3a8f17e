/** One endpoint: signing secret (reveal, copy, rotate), test event, 24 h chart, attempt log with resend, recovery. */
import { useState } from 'preact/hooks';
import { api, type Attempt, ok, type Subscription } from './api.ts';
import { EndpointForm, offeredTypes } from './endpoints.tsx';
import { formatDate, formatDuration, formatNumber, formatTime, t } from './i18n.ts';
import { Breakable, CopyButton, confirmAction, ErrorText, Excerpt, href, Loading, pretty, useAction, useLoad, useCursorPages } from './ui.tsx';

const HOUR = 3_600_000;

export function EndpointDetail({ tenant, id }: { tenant: string; id: string }) {
  const path = { tenant, id };
  const loaded = useLoad(() => ok(api().GET('/v1/tenants/{tenant}/subscriptions/{id}', { params: { path } })), [tenant, id]);
  const [editing, setEditing] = useState(false);
  const [refresh, setRefresh] = useState(0);
  return (
    <Loading loaded={loaded}>
      {(subscription) => (
        <section aria-labelledby="detail-title">
          <p>
            <a href={href('endpoints', tenant)}>← {t('detail.back')}</a>
          </p>
          <div class="title-row">
            <h1 id="detail-title" class="url">
              <Breakable text={subscription.url} />
            </h1>
            <button type="button" class="secondary" onClick={() => setEditing(true)} disabled={editing}>
              {t('common.edit')}
            </button>
          </div>
          {subscription.description && <p>{subscription.description}</p>}
          <dl class="facts">
            <dt>{t('endpoints.status')}</dt>
            <dd>{subscription.enabled ? t('endpoints.enabled') : subscription.disabledReason ? t('endpoints.disabledBecause', { reason: subscription.disabledReason }) : t('endpoints.disabled')}</dd>
            <dt>{t('endpoints.eventTypes')}</dt>
            <dd>{subscription.eventTypes.join(', ')}</dd>
            <dt>{t('endpoints.headers')}</dt>
            <dd>{Object.keys(subscription.headers).length === 0 ? t('detail.noHeaders') : Object.entries(subscription.headers).map(([name, value]) => `${name}: ${value}`).join(' · ')}</dd>
            <dt>{t('endpoints.filter')}</dt>
            <dd data-testid="detail-filter">{subscription.filter ? <Excerpt>{pretty(subscription.filter)}</Excerpt> : t('detail.noFilter')}</dd>
            <dt>{t('endpoints.retrySchedule')}</dt>
            <dd data-testid="detail-schedule">{subscription.retrySchedule ? t('detail.scheduleSeconds', { waits: subscription.retrySchedule.map((wait) => formatNumber(wait)).join(', ') }) : t('detail.globalSetting')}</dd>
            <dt>{t('endpoints.timeoutMs')}</dt>
            <dd data-testid="detail-timeout">{subscription.timeoutMs === undefined ? t('detail.globalSetting') : formatDuration(subscription.timeoutMs)}</dd>
            <dt>{t('endpoints.rateLimit')}</dt>
            <dd data-testid="detail-rate-limit">{subscription.rateLimit === undefined ? t('detail.unlimited') : t('detail.perSecond', { count: subscription.rateLimit })}</dd>
            <dt>{t('endpoints.ordering')}</dt>
            <dd data-testid="detail-ordering">{subscription.ordering === 'fifo' ? t('endpoints.orderingFifo') : t('endpoints.orderingNone')}</dd>
            <dt>{t('endpoints.signing')}</dt>
            <dd data-testid="detail-signing">{subscription.signingAlgorithm === 'ed25519' ? t('endpoints.signingEd') : t('endpoints.signingHmac')}</dd>
            <dt>{t('detail.id')}</dt>
            <dd>
              <code>{subscription.id}</code>
            </dd>
          </dl>
          {editing && (
            <EndpointForm
              tenant={tenant}
              subscription={subscription}
              onDone={() => {
                setEditing(false);
                loaded.reload();
              }}
            />
          )}
          <div class="grid">
            <SigningSecret tenant={tenant} id={id} publicKey={subscription.signingAlgorithm === 'ed25519'} />
            <TestEvent subscription={subscription} onSent={() => setRefresh((n) => n + 1)} />
          </div>
          <Chart tenant={tenant} id={id} refresh={refresh} />
          <AttemptLog tenant={tenant} id={id} refresh={refresh} />
          <Recover tenant={tenant} id={id} />
        </section>
      )}
    </Loading>
  );
}

/** The signing secret (hmac-sha256) or, for an ed25519 endpoint, its public key: reveal, copy, rotate. */
function SigningSecret({ tenant, id, publicKey }: { tenant: string; id: string; publicKey: boolean }) {
  const [secret, setSecret] = useState<string | undefined>();
  const [rotated, setRotated] = useState(false);
  const shown = (answer: { secret?: string; publicKey?: string }) => (publicKey ? answer.publicKey : answer.secret);
  const [reveal, busy, error] = useAction(async () => {
    setSecret(shown(await ok(api().GET('/v1/tenants/{tenant}/subscriptions/{id}/secret', { params: { path: { tenant, id } } }))));
  });
  const [rotate, rotating, rotateError] = useAction(async () => {
    if (!(await confirmAction(t(publicKey ? 'secret.rotateKeyConfirm' : 'secret.rotateConfirm'), t(publicKey ? 'secret.rotateKey' : 'secret.rotate')))) return;
    setSecret(shown(await ok(api().POST('/v1/tenants/{tenant}/subscriptions/{id}/rotate-secret', { params: { path: { tenant, id } } }))));
    setRotated(true);
  });
  return (
    <section class="card" aria-labelledby="secret-title">
      <h2 id="secret-title">{t(publicKey ? 'secret.publicKeyTitle' : 'secret.title')}</h2>
      <p class="hint">{t(publicKey ? 'secret.publicKeyHint' : 'secret.hint')}</p>
      <p>
        <code class="secret" data-testid="secret">
          {secret ?? '••••••••••••••••••••••••'}
        </code>
      </p>
      <div class="actions">
        {secret ? (
          <>
            <CopyButton text={secret} label={t(publicKey ? 'secret.copyPublicKey' : 'secret.copy')} />
            <button type="button" class="secondary" onClick={() => setSecret(undefined)}>
              {t('secret.hide')}
            </button>
          </>
        ) : (
          <button type="button" class="secondary" onClick={() => reveal()} disabled={busy}>
            {t('secret.reveal')}
          </button>
        )}
        <button type="button" class="secondary" onClick={() => rotate()} disabled={rotating}>
          {t(publicKey ? 'secret.rotateKey' : 'secret.rotate')}
        </button>
      </div>
      <p class="hint">{t(publicKey ? 'secret.keyOverlap' : 'secret.overlap')}</p>
      {rotated && (
        <p role="status" class="notice">
          {t(publicKey ? 'secret.keyRotated' : 'secret.rotated')}
        </p>
      )}
      <ErrorText error={error ?? rotateError} />
    </section>
  );
}

function TestEvent({ subscription, onSent }: { subscription: Subscription; onSent(): void }) {
  const catalogue = useLoad(() => ok(api().GET('/v1/event-types')), []);
  const [type, setType] = useState<string>('');
  const [result, setResult] = useState<Attempt | undefined>();
  // Hookpost's own types are offered only where they are published (offeredTypes).
  const types = offeredTypes(catalogue.data?.items ?? [], subscription.tenant, []);
  const wanted = types.filter((item) => subscription.eventTypes.some((pattern) => pattern === '*' || pattern === item.type || (pattern.endsWith('.*') && item.type.startsWith(pattern.slice(0, -1)))));
  // The endpoint's own types first; any catalogue type if it wants none of them.
  const options = wanted.length > 0 ? wanted : types;
  const [send, busy, error] = useAction(async () => {
    const chosen = type || options[0]?.type;
    const attempt = await ok(
      api().POST('/v1/tenants/{tenant}/subscriptions/{id}/test', { params: { path: { tenant: subscription.tenant, id: subscription.id } }, body: chosen ? { type: chosen } : {} }),
    );
    setResult(attempt);
    onSent();
  });
  return (
    <section class="card" aria-labelledby="test-title">
      <h2 id="test-title">{t('test.title')}</h2>
      <label for="test-type">{t('test.type')}</label>
      <select id="test-type" value={type || options[0]?.type} onChange={(e) => setType((e.currentTarget as HTMLSelectElement).value)}>
        {options.map((item) => (
          <option key={item.type} value={item.type}>
            {item.type}
          </option>
        ))}
      </select>
      <div class="actions">
        <button type="button" onClick={() => send()} disabled={busy || options.length === 0}>
          {t('test.send')}
        </button>
      </div>
      {options.length === 0 && <p class="hint">{t('endpoints.noCatalogue')}</p>}
      <ErrorText error={error} />
      {result && (
        <div role="status" class={result.status === 'succeeded' ? 'result good' : 'result bad'} data-testid="test-result">
          <p>
            <strong>{result.statusCode !== undefined ? t('test.status', { code: String(result.statusCode) }) : t('test.noResponse', { error: result.error ?? '' })}</strong> ·{' '}
            {t('test.duration', { duration: formatDuration(result.durationMs) })}
          </p>
          {result.response && <Excerpt>{result.response}</Excerpt>}
        </div>
      )}
    </section>
  );
}

/**
 * Successes and failures per hour over the last 24 h, from the attempt log (at most 1,000 attempts
 * read). Test sends are left out, as the list's success rate (the API's stats) leaves them out.
 */
function Chart({ tenant, id, refresh }: { tenant: string; id: string; refresh: number }) {
  const loaded = useLoad(async () => {
    const since = Date.now() - 24 * HOUR;
    const attempts: Attempt[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const data = await ok(api().GET('/v1/tenants/{tenant}/subscriptions/{id}/attempts', { params: { path: { tenant, id }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
      attempts.push(...data.items);
      cursor = data.nextCursor;
      const last = data.items.at(-1);
      if (!cursor || !last || Date.parse(last.timestamp) < since) break;
    }
    const start = Math.floor(since / HOUR) * HOUR + HOUR;
    const buckets = Array.from({ length: 24 }, (_, i) => ({ at: start + i * HOUR, ok: 0, failed: 0 }));
    for (const attempt of attempts) {
      if (attempt.test) continue;
      const i = Math.floor((Date.parse(attempt.timestamp) - start) / HOUR);
      const bucket = buckets[i];
      if (!bucket) continue;
      if (attempt.status === 'succeeded') bucket.ok += 1;
      else bucket.failed += 1;
    }
    return buckets;
  }, [tenant, id, refresh]);
  return (
    <section class="card" aria-labelledby="chart-title">
      <h2 id="chart-title">{t('chart.title')}</h2>
      <Loading loaded={loaded}>
        {(buckets) => {
          const okTotal = buckets.reduce((sum, b) => sum + b.ok, 0);
          const failedTotal = buckets.reduce((sum, b) => sum + b.failed, 0);
          const max = Math.max(1, ...buckets.map((b) => b.ok + b.failed));
          const summary = t('chart.summary', { ok: okTotal, failed: failedTotal });
          const STEP = 40;
          const W = 24 * STEP;
          const H = 130;
          return (
            <>
              <svg viewBox={`0 0 ${W} ${H + 20}`} class="chart" role="img" aria-label={summary}>
                {buckets.map((b, i) => {
                  const okH = (b.ok / max) * H;
                  const failedH = (b.failed / max) * H;
                  return (
                    <g key={b.at}>
                      <title>{`${formatTime(b.at)}: ${t('chart.bar', { ok: b.ok, failed: b.failed })}`}</title>
                      <rect x={i * STEP + 6} y={H - okH} width={STEP - 12} height={okH} class="bar-ok" />
                      <rect x={i * STEP + 6} y={H - okH - failedH} width={STEP - 12} height={failedH} class="bar-failed" />
                      {i % 6 === 0 && (
                        <text x={i * STEP + (i === 0 ? 6 : STEP / 2)} y={H + 16} text-anchor={i === 0 ? 'start' : 'middle'} class="axis">
                          {formatTime(b.at)}
                        </text>
                      )}
                    </g>
                  );
                })}
                <line x1={0} y1={H} x2={W} y2={H} class="baseline" />
              </svg>
              <p class="legend" data-testid="chart-legend">
                <span class="swatch ok" aria-hidden="true" /> {t('chart.succeeded')} {formatNumber(okTotal)} <span class="swatch failed" aria-hidden="true" /> {t('chart.failed')}{' '}
                {formatNumber(failedTotal)}
              </p>
              <p class="hint">{t('endpoints.testsNotCounted')}</p>
            </>
          );
        }}
      </Loading>
    </section>
  );
}

function AttemptLog({ tenant, id, refresh }: { tenant: string; id: string; refresh: number }) {
  const [status, setStatus] = useState<'' | 'succeeded' | 'failed'>('');
  const { cursor, reset, pager } = useCursorPages();
  const [tick, setTick] = useState(0);
  const page = useLoad(
    () =>
      ok(
        api().GET('/v1/tenants/{tenant}/subscriptions/{id}/attempts', {
          params: { path: { tenant, id }, query: { limit: 10, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [tenant, id, status, cursor, refresh, tick],
  );
  return (
    <section class="card" aria-labelledby="log-title">
      <div class="title-row">
        <h2 id="log-title">{t('log.title')}</h2>
        <div class="inline">
          <label for="log-status">{t('log.filter')}</label>
          <select
            id="log-status"
            value={status}
            onChange={(e) => {
              setStatus((e.currentTarget as HTMLSelectElement).value as typeof status);
              reset();
            }}
          >
            <option value="">{t('log.all')}</option>
            <option value="succeeded">{t('log.succeeded')}</option>
            <option value="failed">{t('log.failed')}</option>
          </select>
          <button type="button" class="secondary" onClick={() => setTick((n) => n + 1)}>
            {t('common.refresh')}
          </button>
        </div>
      </div>
      <Loading loaded={page}>
        {(data) =>
          data.items.length === 0 ? (
            <p>{t('log.empty')}</p>
          ) : (
            <>
              <table class="log cards">
                <thead>
                  <tr>
                    <th scope="col">{t('log.time')}</th>
                    <th scope="col">{t('log.type')}</th>
                    <th scope="col">{t('log.status')}</th>
                    <th scope="col">{t('log.duration')}</th>
                    <th scope="col">{t('common.actions')}</th>
                  </tr>
                </thead>
                {data.items.map((attempt) => (
                  <AttemptRow key={attempt.id} attempt={attempt} tenant={tenant} />
                ))}
              </table>
              {pager(data.nextCursor)}
            </>
          )
        }
      </Loading>
    </section>
  );
}

function AttemptRow({ attempt, tenant }: { attempt: Attempt; tenant: string }) {
  const [open, setOpen] = useState(false);
  const [payload, setPayload] = useState<{ data?: unknown; missing?: boolean } | undefined>();
  const [queued, setQueued] = useState(false);
  const detailsId = `attempt-${attempt.id}`;
  const toggle = async () => {
    setOpen(!open);
    if (!open && !payload) {
      const found = await api().GET('/v1/tenants/{tenant}/messages/{msgId}', { params: { path: { tenant, msgId: attempt.messageId } } });
      setPayload(found.data ? { data: found.data.data } : { missing: true });
    }
  };
  const [resend, busy, error] = useAction(async () => {
    await ok(api().POST('/v1/tenants/{tenant}/messages/{msgId}/redeliver', { params: { path: { tenant, msgId: attempt.messageId }, query: { subscription: attempt.subscriptionId } } }));
    setQueued(true);
  });
  return (
    <tbody>
      <tr>
        <td data-label={t('log.time')}>{formatDate(attempt.timestamp)}</td>
        <td data-label={t('log.type')}>
          <code>
            <Breakable text={attempt.eventType} />
          </code>
          {attempt.test && <span class="badge">{t('log.test')}</span>}
        </td>
        <td data-label={t('log.status')}>
          <span class={attempt.status === 'succeeded' ? 'badge good' : 'badge bad'}>
            {attempt.status === 'succeeded' ? t('log.succeeded') : t('log.failed')}
            {attempt.statusCode !== undefined ? ` · ${attempt.statusCode}` : ''}
          </span>
        </td>
        <td data-label={t('log.duration')}>{formatDuration(attempt.durationMs)}</td>
        <td class="row-actions">
          <button type="button" class="secondary" aria-expanded={open} aria-controls={detailsId} onClick={toggle}>
            {t('log.details')}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={detailsId} class="details">
          <td colSpan={5}>
            <dl class="facts">
              <dt>{t('log.messageId')}</dt>
              <dd>
                <code>{attempt.messageId}</code>
              </dd>
              <dt>{t('log.type')}</dt>
              <dd>{attempt.eventType}</dd>
              <dt>{t('log.attemptNumber')}</dt>
              <dd>{formatNumber(attempt.attemptNumber)}</dd>
              <dt>{t('log.status')}</dt>
              <dd>
                {attempt.status === 'succeeded' ? t('log.succeeded') : t('log.failed')}
                {attempt.statusCode !== undefined ? ` (${attempt.statusCode})` : ''}
                {attempt.error ? ` — ${attempt.error}` : ''}
              </dd>
              <dt>{t('log.duration')}</dt>
              <dd>{formatDuration(attempt.durationMs)}</dd>
            </dl>
            <h3>{t('log.response')}</h3>
            <Excerpt>{attempt.response || t('log.noResponse')}</Excerpt>
            <h3>{t('log.payload')}</h3>
            {payload === undefined ? <p>{t('common.loading')}</p> : payload.missing ? <p class="hint">{t('log.payloadNotKept')}</p> : <Excerpt>{pretty(payload.data)}</Excerpt>}
            <div class="actions">
              <button type="button" onClick={() => resend()} disabled={busy || !payload || payload.missing === true}>
                {t('log.resend')}
              </button>
              {queued && (
                <span role="status" class="notice">
                  {t('log.resent')}
                </span>
              )}
            </div>
            <ErrorText error={error} />
          </td>
        </tr>
      )}
    </tbody>
  );
}

function Recover({ tenant, id }: { tenant: string; id: string }) {
  const local = (ms: number) => {
    const d = new Date(ms - new Date().getTimezoneOffset() * 60_000);
    return d.toISOString().slice(0, 16);
  };
  const [since, setSince] = useState(local(Date.now() - 24 * HOUR));
  const [result, setResult] = useState<string | undefined>();
  const [recover, busy, error] = useAction(async () => {
    const iso = new Date(since).toISOString();
    if (!(await confirmAction(t('recover.confirm', { since: formatDate(iso) }), t('recover.submit')))) return;
    const done = await ok(api().POST('/v1/tenants/{tenant}/subscriptions/{id}/recover', { params: { path: { tenant, id } }, body: { since: iso } }));
    setResult(t('recover.done', { count: done.messages.length, skipped: done.skipped.length }));
  });
  return (
    <section class="card" aria-labelledby="recover-title">
      <h2 id="recover-title">{t('recover.title')}</h2>
      <p class="hint">{t('recover.hint')}</p>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void recover();
        }}
      >
        <label for="recover-since">{t('recover.since')}</label>
        <input id="recover-since" type="datetime-local" value={since} onInput={(e) => setSince((e.currentTarget as HTMLInputElement).value)} required />
        <button type="submit" class="secondary" disabled={busy}>
          {t('recover.submit')}
        </button>
      </form>
      {result && (
        <p role="status" class="notice">
          {result}
        </p>
      )}
      <ErrorText error={error} />
    </section>
  );
}
