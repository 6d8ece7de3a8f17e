/** Event types: the catalogue with description, JSON Schema and example payload; admins create, edit and delete. */
import { useState } from 'preact/hooks';
import { api, type EventType, isAdmin, ok, session } from './api.ts';
import { offeredTypes } from './endpoints.tsx';
import { formatNumber, t } from './i18n.ts';
import { formRefusal } from './refusals.ts';
import { Breakable, confirmAction, ErrorText, Excerpt, FieldError, Loading, pretty, useAction, useLoad } from './ui.tsx';

/** The words of `query`, each found in the type's name or description (case-insensitive). */
const matches = (item: EventType, query: string): boolean => {
  const text = `${item.type} ${item.description}`.toLowerCase();
  return query.toLowerCase().split(/\s+/).every((word) => text.includes(word));
};

export function EventTypesScreen() {
  const list = useLoad(() => ok(api().GET('/v1/event-types')), []);
  const [editing, setEditing] = useState<EventType | 'new' | undefined>();
  const [query, setQuery] = useState('');
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
        {(data) => {
          // A tenant (key or portal) sees the types its endpoints can have: not Hookpost's own.
          const all = admin ? data.items : offeredTypes(data.items, session.value?.tenant ?? '', []);
          const shown = all.filter((item) => matches(item, query.trim()));
          return all.length === 0 ? (
            <p>{t('types.empty')}</p>
          ) : (
            <>
              <div class="inline search">
                <label for="types-search">{t('types.search')}</label>
                <input id="types-search" type="search" value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} aria-describedby="types-count" />
                <span class="hint" id="types-count" role="status">
                  {t('types.shown', { shown: formatNumber(shown.length), total: formatNumber(all.length) })}
                </span>
              </div>
              {shown.length === 0 && <p>{t('types.noMatch')}</p>}
              <ul class="types">
                {shown.map((item) => (
                  <li key={item.type} class="card">
                    <div class="title-row">
                      <h2>
                        <code>
                          <Breakable text={item.type} />
                        </code>
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
                    {/* Collapsed: the list stays a list of names; a type's example and schema open on demand. */}
                    <details>
                      <summary>{t('types.showDetails')}</summary>
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
                    </details>
                  </li>
                ))}
              </ul>
            </>
          );
        }}
      </Loading>
    </section>
  );
}

/** The form's fields that show their own error (a refusal's `details[].path` starts with one). */
const FIELDS = ['description', 'schema', 'example'] as const;
type Field = (typeof FIELDS)[number];

/** The text as JSON (undefined when empty), or why it is not: the field's own error. */
function parseJson(text: string, field: Field, errors: Partial<Record<Field, string>>): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    errors[field] = t('types.badJson');
    return undefined;
  }
}

function EventTypeForm({ eventType, onDone }: { eventType?: EventType; onDone(): void }) {
  const [type, setType] = useState(eventType?.type ?? '');
  const [description, setDescription] = useState(eventType?.description ?? '');
  const [schema, setSchema] = useState(eventType?.schema === undefined ? '' : pretty(eventType.schema));
  const [example, setExample] = useState(eventType?.example === undefined ? '' : pretty(eventType.example));
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [save, busy, error] = useAction(async () => {
    const found: Partial<Record<Field, string>> = {};
    const parsedSchema = parseJson(schema, 'schema', found) as Record<string, unknown> | undefined;
    const parsedExample = parseJson(example, 'example', found);
    setFieldErrors(found);
    if (Object.keys(found).length > 0) throw new Error(t('endpoints.fixFields'));
    const body = { description, ...(parsedSchema === undefined ? {} : { schema: parsedSchema }), ...(parsedExample === undefined ? {} : { example: parsedExample }) };
    try {
      await ok(api().PUT('/v1/event-types/{type}', { params: { path: { type: type.trim() } }, body }));
    } catch (failure) {
      // Each refused field says why next to itself; the banner says only what no field took.
      throw formRefusal(failure, FIELDS, body, setFieldErrors);
    }
    onDone();
  });
  const described = (field: Field) => (fieldErrors[field] ? `type-${field}-error` : undefined);
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
      <input
        id="type-description"
        value={description}
        onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)}
        required
        aria-describedby={described('description')}
        aria-invalid={fieldErrors.description ? true : undefined}
      />
      <FieldError id="type-description-error" error={fieldErrors.description} />
      <label for="type-schema">{t('types.schema')}</label>
      <textarea
        id="type-schema"
        rows={6}
        value={schema}
        onInput={(e) => setSchema((e.currentTarget as HTMLTextAreaElement).value)}
        spellcheck={false}
        aria-describedby={described('schema')}
        aria-invalid={fieldErrors.schema ? true : undefined}
      />
      <FieldError id="type-schema-error" error={fieldErrors.schema} />
      <label for="type-example">{t('types.example')}</label>
      <textarea
        id="type-example"
        rows={6}
        value={example}
        onInput={(e) => setExample((e.currentTarget as HTMLTextAreaElement).value)}
        spellcheck={false}
        aria-describedby={described('example')}
        aria-invalid={fieldErrors.example ? true : undefined}
      />
      <FieldError id="type-example-error" error={fieldErrors.example} />
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
