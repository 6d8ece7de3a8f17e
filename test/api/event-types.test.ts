/**
 * The event-type catalogue on the local stack: CRUD, JSON Schemas checked when stored and applied to
 * published data (422 with the schema errors), and the sample catalogue loaded by `npm run seed`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spyOnQueue } from '../helpers/stack.ts';
import { type ApiTestContext, errorShape, startApiTest } from './setup.ts';

let t: ApiTestContext;

beforeAll(async () => {
  t = await startApiTest();
});

afterAll(() => t?.stop());

const userSchema = {
  type: 'object',
  required: ['id', 'email'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, email: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
};

describe('event type CRUD', () => {
  it('creates with POST, replaces with PUT, reads, lists and deletes', async () => {
    const created = await t.admin('POST', '/v1/event-types', { type: 'crud.thing', description: 'first', example: { a: 1 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'crud.thing', description: 'first', example: { a: 1 }, createdAt: expect.any(String) });
    expect((await t.admin('POST', '/v1/event-types', { type: 'crud.thing', description: 'again' })).status).toBe(409);

    const replaced = await t.admin('PUT', '/v1/event-types/crud.thing', { description: 'second', schema: { type: 'object' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ description: 'second', schema: { type: 'object' }, createdAt: created.body.createdAt });
    expect(replaced.body).not.toHaveProperty('example');

    expect((await t.admin('GET', '/v1/event-types/crud.thing')).body).toEqual(replaced.body);
    expect((await t.admin('GET', '/v1/event-types')).body.items.map((e: { type: string }) => e.type)).toContain('crud.thing');
    expect((await t.admin('DELETE', '/v1/event-types/crud.thing')).status).toBe(204);
    expect((await t.admin('GET', '/v1/event-types/crud.thing')).status).toBe(404);
    expect((await t.admin('DELETE', '/v1/event-types/crud.thing')).status).toBe(404);
  });

  it('answers 400 for a bad type name in the path, 401 without a key, 403 to a publish key writing', async () => {
    expect((await t.admin('GET', '/v1/event-types/has%20space')).status).toBe(400);
    expect((await t.as(undefined)('GET', '/v1/event-types')).status).toBe(401);
    const publish = await t.keyFor('publish');
    const refused = await publish('PUT', '/v1/event-types/x.y', { description: 'x' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject(errorShape);
  });
});

describe('JSON Schema', () => {
  it.each([
    ['a schema that is not a JSON Schema', { description: 'x', schema: { type: 'strin' } }, 'schema'],
    ['a schema with an unresolvable $ref', { description: 'x', schema: { $ref: '#/$defs/missing' } }, 'schema'],
    ['a schema with an invalid pattern', { description: 'x', schema: { type: 'string', pattern: '([' } }, 'schema'],
    ['a schema that is not an object', { description: 'x', schema: ['type', 'object'] }, 'schema'],
    ['an example the schema refuses', { description: 'x', schema: userSchema, example: { id: 'u_1' } }, 'example'],
    ['an unknown field', { description: 'x', examples: [] }, ''],
  ])('refuses %s with 422 and stores nothing', async (_name, body, path) => {
    const refused = await t.admin('PUT', '/v1/event-types/schema.bad', body);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject(errorShape);
    expect(refused.body.error.code).toBe('validation_failed');
    expect(refused.body.error.details).toContainEqual(expect.objectContaining({ path: expect.stringContaining(path) }));
    expect((await t.admin('GET', '/v1/event-types/schema.bad')).status).toBe(404);
  });

  it('validates published data: 422 with the schema errors, nothing queued; valid data is accepted', async () => {
    expect((await t.admin('PUT', '/v1/event-types/user.signed_up', { description: 'x', schema: userSchema, example: { id: 'u_1', email: 'a@example.com' } })).status).toBe(201);

    const spy = spyOnQueue(t.stack.runtime.ports.queue);
    const refused = await t.admin('POST', '/v1/events', { type: 'user.signed_up', data: { id: 7, age: -1, extra: true } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('validation_failed');
    const details = refused.body.error.details as { path: string; message: string }[];
    expect(details).toEqual(
      expect.arrayContaining([
        { path: 'data', message: "must have required property 'email'" },
        { path: 'data.id', message: 'must be string' },
        { path: 'data.age', message: 'must be >= 0' },
        { path: 'data', message: 'must NOT have additional properties (extra)' },
      ]),
    );

    const batch = await t.admin('POST', '/v1/events/batch', {
      events: [
        { type: 'user.signed_up', data: { id: 'u_2', email: 'b@example.com' } },
        { type: 'user.signed_up', data: { id: 'u_3' } },
      ],
    });
    expect(batch.body.results.map((r: { id?: string; error?: { code: string } }) => r.id ? 'ok' : r.error?.code)).toEqual(['ok', 'validation_failed']);
    expect((await t.admin('POST', '/v1/events', { type: 'user.signed_up', data: { id: 'u_4', email: 'c@example.com', age: 3 } })).status).toBe(202);
    spy.restore();
    // Nothing queued for the refused ones: only the valid data reached the queue port.
    expect(spy.events().map((m) => JSON.parse(m.message.dataJson))).toEqual([{ id: 'u_2', email: 'b@example.com' }, { id: 'u_4', email: 'c@example.com', age: 3 }]);
  });

  it('applies a replaced schema at once', async () => {
    await t.admin('PUT', '/v1/event-types/schema.changes', { description: 'x', schema: { type: 'object', required: ['a'] } });
    expect((await t.admin('POST', '/v1/events', { type: 'schema.changes', data: { b: 1 } })).status).toBe(422);
    await t.admin('PUT', '/v1/event-types/schema.changes', { description: 'x', schema: { type: 'object', required: ['b'] } });
    expect((await t.admin('POST', '/v1/events', { type: 'schema.changes', data: { b: 1 } })).status).toBe(202);
  });

  it('reads a draft-07 schema as draft-07', async () => {
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', definitions: { id: { type: 'string' } }, type: 'object', properties: { id: { $ref: '#/definitions/id' } } };
    expect((await t.admin('PUT', '/v1/event-types/draft7.thing', { description: 'x', schema })).status).toBe(201);
    expect((await t.admin('POST', '/v1/events', { type: 'draft7.thing', data: { id: 1 } })).status).toBe(422);
    expect((await t.admin('POST', '/v1/events', { type: 'draft7.thing', data: { id: '1' } })).status).toBe(202);
  });
});

describe('sample catalogue', () => {
  it('npm run seed loads every type of catalogue/event-types.json through the API, twice without harm', async () => {
    const catalogue = JSON.parse(readFileSync(new URL('../../catalogue/event-types.json', import.meta.url), 'utf8')) as { type: string; example: unknown }[];
    expect(catalogue.map((e) => e.type)).toEqual(
      expect.arrayContaining(['PostRegister', 'PostSignIn', 'User.Created', 'User.Deleted', 'Organization.Membership.Updated', 'payment_received', 'site.published']),
    );
    const seed = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
        cwd: new URL('../../', import.meta.url),
        env: { ...process.env, HOOKPOST_URL: t.stack.url, HOOKPOST_ADMIN_KEY: t.stack.adminKey },
      });

    const first = await seed();
    const second = await seed();

    expect(first.stdout).toContain('PostRegister: created');
    expect(second.stdout).toContain('PostRegister: replaced');
    for (const { type, example } of catalogue) {
      const stored = await t.admin('GET', `/v1/event-types/${type}`);
      expect(stored.status, type).toBe(200);
      expect(stored.body.example).toEqual(example);
      // Each example passes its own schema, so publishing it is accepted.
      expect((await t.admin('POST', '/v1/events', { type, data: example })).status, type).toBe(202);
    }
    expect((await t.admin('POST', '/v1/events', { type: 'payment_received', data: { paymentId: 'p', amount: 1.5, currency: 'eur' } })).status).toBe(422);
  });

  it('the seed script refuses to run without an admin key', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
      cwd: new URL('../../', import.meta.url),
      env: { ...process.env, HOOKPOST_URL: t.stack.url, HOOKPOST_ADMIN_KEY: '' },
    });
    await expect(run).rejects.toMatchObject({ code: 2 });
  });
});
