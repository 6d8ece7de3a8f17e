/** Payload filters: examples, refusals naming the path, and the evaluator against a plain reference on random input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterProblems, matchesFilter } from '#shared/core/engine/filter.ts';
import type { Filter, JsonValue } from '#shared/core/platform/domain.ts';

const body = {
  type: 'payment.received',
  timestamp: '2026-12-01T10:00:00.000Z',
  data: { amount: 150, country: 'DE', tags: ['vip'], customer: { id: 'c_1', plan: 'pro' } },
};

describe('matchesFilter', () => {
  it.each([
    [{ data: { amount: { $gte: 100 }, country: { $in: ['DE', 'FR'] } } }, true],
    [{ data: { amount: { $gte: 200 } } }, false],
    [{ type: 'payment.received' }, true],
    [{ type: { $startsWith: 'payment.' } }, true],
    [{ data: { customer: { plan: 'pro' } } }, true],
    [{ data: { customer: { plan: { $neq: 'pro' } } } }, false],
    [{ data: { missing: { $exists: false } } }, true],
    [{ data: { amount: { $exists: true, $lt: 151, $gt: 149 } } }, true],
    [{ data: { tags: ['vip'] } }, true],
    [{ data: { tags: { $eq: ['vip', 'new'] } } }, false],
    [{ $or: [{ data: { country: 'FR' } }, { data: { amount: { $gt: 100 } } }] }, true],
    [{ $and: [{ data: { country: 'DE' } }, { data: { amount: { $lt: 100 } } }] }, false],
    [{ $not: { data: { country: { $nin: ['DE'] } } } }, true],
    [{ data: { amount: { $gt: '100' } } }, false], // a string operand never matches a number
    [{ data: { country: { $lt: 'FR' } } }, true],
  ])('%j → %s', (filter, expected) => {
    expect(filterProblems(filter)).toEqual([]);
    expect(matchesFilter(filter as Filter, body as unknown as Filter)).toBe(expected);
  });
});

describe('filterProblems', () => {
  it.each([
    ['an unknown operator', { data: { amount: { $gte: 1, $between: [1, 2] } } }, 'filter.data.amount.$between'],
    ['an unknown combinator', { $xor: [{ type: 'a' }] }, 'filter.$xor'],
    ['$in without a list', { data: { country: { $in: 'DE' } } }, 'filter.data.country.$in'],
    ['$gt with an object', { data: { amount: { $gt: { n: 1 } } } }, 'filter.data.amount.$gt'],
    ['$exists with a string', { data: { amount: { $exists: 'yes' } } }, 'filter.data.amount.$exists'],
    ['$startsWith with a number', { type: { $startsWith: 1 } }, 'filter.type.$startsWith'],
    ['an empty $or', { $or: [] }, 'filter.$or'],
    ['$not with a list', { $not: [{ type: 'a' }] }, 'filter.$not'],
    ['a filter that is not an object', ['type'], 'filter'],
  ])('names the path of %s', (_name, filter, path) => {
    expect(filterProblems(filter).map((p) => p.path)).toContain(path);
  });

  it('refuses more than 4 KiB and more than 8 levels', () => {
    expect(filterProblems({ data: { text: 'x'.repeat(5000) } })[0]?.message).toMatch(/4096 bytes/);
    let deep: JsonValue = 'x';
    for (let i = 0; i < 9; i += 1) deep = { f: deep };
    expect(filterProblems(deep)[0]?.message).toMatch(/8 levels/);
  });
});

/* ---------- the reference: constraints on absolute paths, evaluated by looking each path up ---------- */

type Constraint =
  | { kind: 'all' | 'any'; parts: Constraint[] }
  | { kind: 'not'; part: Constraint }
  | { kind: 'test'; path: string[]; test: (value: JsonValue | undefined, present: boolean) => boolean };

const equal = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}
const ordered = (value: unknown, operand: unknown, ok: (order: number) => boolean) =>
  typeof value === typeof operand && (typeof value === 'number' || typeof value === 'string')
    ? ok(value === operand ? 0 : (value as number | string) < (operand as number | string) ? -1 : 1)
    : false;
const TESTS: Record<string, (operand: JsonValue) => (value: JsonValue | undefined, present: boolean) => boolean> = {
  $eq: (o) => (v) => v !== undefined && equal(v, o),
  $neq: (o) => (v) => v === undefined || !equal(v, o),
  $in: (o) => (v) => v !== undefined && (o as JsonValue[]).some((c) => equal(v, c)),
  $nin: (o) => (v) => v === undefined || !(o as JsonValue[]).some((c) => equal(v, c)),
  $gt: (o) => (v) => ordered(v, o, (d) => d > 0),
  $gte: (o) => (v) => ordered(v, o, (d) => d >= 0),
  $lt: (o) => (v) => ordered(v, o, (d) => d < 0),
  $lte: (o) => (v) => ordered(v, o, (d) => d <= 0),
  $exists: (o) => (_v, present) => present === o,
  $startsWith: (o) => (v) => typeof v === 'string' && v.startsWith(o as string),
};

function toConstraint(filter: Record<string, JsonValue>, base: string[]): Constraint {
  const parts: Constraint[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and') parts.push({ kind: 'all', parts: (value as Filter[]).map((f) => toConstraint(f, base)) });
    else if (key === '$or') parts.push({ kind: 'any', parts: (value as Filter[]).map((f) => toConstraint(f, base)) });
    else if (key === '$not') parts.push({ kind: 'not', part: toConstraint(value as Filter, base) });
    else {
      const path = [...base, key];
      const isObj = value !== null && typeof value === 'object' && !Array.isArray(value);
      if (isObj && Object.keys(value).some((k) => k in TESTS)) {
        for (const [op, operand] of Object.entries(value)) {
          const make = TESTS[op];
          if (make) parts.push({ kind: 'test', path, test: make(operand) });
        }
      } else if (isObj) {
        // Descending requires an object there, then the inner filter.
        parts.push({ kind: 'test', path, test: (v) => v !== null && typeof v === 'object' && !Array.isArray(v) });
        parts.push(toConstraint(value as Filter, path));
      } else {
        parts.push({ kind: 'test', path, test: (v) => v !== undefined && equal(v, value) });
      }
    }
  }
  return { kind: 'all', parts };
}

function lookUp(document: JsonValue, path: string[]): { present: boolean; value?: JsonValue } {
  let current: JsonValue | undefined = document;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) return { present: false };
    current = current[key];
  }
  return { present: true, value: current };
}

function holds(constraint: Constraint, document: JsonValue): boolean {
  switch (constraint.kind) {
    case 'all':
      return constraint.parts.every((part) => holds(part, document));
    case 'any':
      return constraint.parts.some((part) => holds(part, document));
    case 'not':
      return !holds(constraint.part, document);
    case 'test': {
      const { present, value } = lookUp(document, constraint.path);
      return constraint.test(value, present);
    }
  }
}

/* ---------- random documents and filters over a small shared vocabulary, so matches happen ---------- */

const key = fc.constantFrom('a', 'b', 'c');
const scalar = fc.oneof(fc.constantFrom(0, 1, 2, 'x', 'xy', 'y', true, false, null), fc.integer({ min: -3, max: 3 }));
const documentArb: fc.Arbitrary<JsonValue> = fc.letrec<{ doc: JsonValue }>((tie) => ({
  doc: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(scalar, { maxLength: 2 }),
    fc.dictionary(key, tie('doc'), { maxKeys: 3 }),
  ),
})).doc;
const operatorObject = fc
  .dictionary(
    fc.constantFrom('$eq', '$neq', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$startsWith'),
    fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })),
    { minKeys: 1, maxKeys: 2 },
  )
  .map((ops) => {
    const fixed: Record<string, JsonValue> = {};
    for (const [op, operand] of Object.entries(ops)) {
      if (op === '$in' || op === '$nin') fixed[op] = Array.isArray(operand) ? operand : [operand];
      else if (op === '$exists') fixed[op] = Boolean(operand);
      else if (op === '$startsWith') fixed[op] = typeof operand === 'string' ? operand : 'x';
      else if (op.startsWith('$g') || op.startsWith('$l')) fixed[op] = typeof operand === 'number' || typeof operand === 'string' ? operand : 1;
      else fixed[op] = operand;
    }
    return fixed;
  });
const filterArb: fc.Arbitrary<Filter> = fc.letrec<{ filter: Filter; condition: JsonValue }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small' },
    fc.dictionary(key, tie('condition'), { minKeys: 1, maxKeys: 2 }),
    fc.record({ $and: fc.array(tie('filter'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ $or: fc.array(tie('filter'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ $not: tie('filter') }),
  ),
  condition: fc.oneof({ depthSize: 'small' }, scalar, operatorObject, tie('filter')),
})).filter;

describe('matchesFilter against the reference', () => {
  it('agrees on random documents and filters', () => {
    fc.assert(
      fc.property(filterArb, documentArb, (filter, document) => {
        fc.pre(filterProblems(filter).length === 0);
        const doc = document !== null && typeof document === 'object' && !Array.isArray(document) ? document : { a: document };
        expect(matchesFilter(filter, doc)).toBe(holds(toConstraint(filter, []), doc));
      }),
      { numRuns: 3000 },
    );
  });
});
