/** Event types: the catalogue with description, JSON Schema and example payload; admins create, edit and delete. */
import { useState } from 'preact/hooks';
import { api, type EventType, isAdmin, ok } from './api.ts';
import { t } from './i18n.ts';
import { confirmAction, ErrorText, Excerpt, Loading, pretty, useAction, useLoad } from './ui.tsx';

export function EventTypesScreen() {
  const list = useLoad(() => ok(api().GET('/v1/event-types')), []);
  const [editing, setEditing] = useState<EventType | 'new' | undefined>();
  const admin = isAdmin();
  const [remove, , removeError] = useAction(async (item: EventType) => {
    if (!(await confirmAction(t('types.deleteConfirm', { type: item.type }), t('common.delete')))) return;
    await ok(api().DELETE('/v1/event-types/{type}', { params: { path: { type: item.type } } }));
    list.reload();
  });
  return (
    <section aria-labelledby="types-title">
      <div class="title-row">
        <h1 id="types-title">{t('types.title')}</h1>
        {admin && (
          <button type="button" onClick={() => setEditing('new')} disabled={editing !== undefined}>
            {t('types.add')}
          </button>
        )}
      </div>
      <p class="hint">{t('types.hint')}</p>
      {editing && (
        <EventTypeForm
          eventType={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(undefined);
            list.reload();
          }}
        />
      )}
      <ErrorText error={removeError} />
      <Loading loaded={list}>
        {(data) =>
          data.items.length === 0 ? (
            <p>{t('types.empty')}</p>
          ) : (
            <ul class="types">
              {data.items.map((item) => (
                <li key={item.type} class="card">
                  <div class="title-row">
                    <h2>
                      <code>{item.type}</code>
                    </h2>
                    {/* Built-in types (Hookpost's operational events) cannot be changed: the API answers 409. */}
                    {admin && !item.builtIn && (
                      <div class="actions">
                        <button type="button" class="secondary" onClick={() => setEditing(item)} aria-label={t('types.editOne', { type: item.type })}>
                          {t('common.edit')}
                        </button>
                        <button type="button" class="danger" onClick={() => remove(item)} aria-label={t('types.deleteOne', { type: item.type })}>
                          {t('common.delete')}
                        </button>
                      </div>
                    )}
                  </div>
                  <p>{item.description}</p>
                  <div class="grid">
                    <div>
                      <h3>{t('types.example')}</h3>
                      <Excerpt>{item.example === undefined ? t('types.none') : pretty(item.example)}</Excerpt>
                    </div>
                    <div>
                      <h3>{t('types.schema')}</h3>
                      <Excerpt>{item.schema === undefined ? t('types.none') : pretty(item.schema)}</Excerpt>
                    </div>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </Loading>
    </section>
  );
}

function parseJson(text: string, field: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(t('types.badJson', { field }));
  }
}

function EventTypeForm({ eventType, onDone }: { eventType?: EventType; onDone(): void }) {
  const [type, setType] = useState(eventType?.type ?? '');
  const [description, setDescription] = useState(eventType?.description ?? '');
  const [schema, setSchema] = useState(eventType?.schema === undefined ? '' : pretty(eventType.schema));
  const [example, setExample] = useState(eventType?.example === undefined ? '' : pretty(eventType.example));
  const [save, busy, error] = useAction(async () => {
    const parsedSchema = parseJson(schema, t('types.schema')) as Record<string, unknown> | undefined;
    const parsedExample = parseJson(example, t('types.example'));
    const body = { description, ...(parsedSchema === undefined ? {} : { schema: parsedSchema }), ...(parsedExample === undefined ? {} : { example: parsedExample }) };
    await ok(api().PUT('/v1/event-types/{type}', { params: { path: { type: type.trim() } }, body }));
    onDone();
  });
  return (
    <form
      class="card"
      aria-labelledby="type-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 id="type-form-title">{eventType ? t('types.editTitle') : t('types.addTitle')}</h2>
      <label for="type-name">{t('types.name')}</label>
      <input id="type-name" value={type} onInput={(e) => setType((e.currentTarget as HTMLInputElement).value)} required disabled={eventType !== undefined} placeholder="user.created" />
      <label for="type-description">{t('endpoints.description')}</label>
      <input id="type-description" value={description} onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} required />
      <label for="type-schema">{t('types.schema')}</label>
      <textarea id="type-schema" rows={6} value={schema} onInput={(e) => setSchema((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
      <label for="type-example">{t('types.example')}</label>
      <textarea id="type-example" rows={6} value={example} onInput={(e) => setExample((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
      <ErrorText error={error} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {eventType ? t('common.save') : t('types.create')}
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
