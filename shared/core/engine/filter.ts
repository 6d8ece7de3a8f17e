/**
 * Payload filters: a JSON object matched against the delivered body `{type, timestamp, data}`.
 *
 * - `{"field": value}` — the field equals the value (deep equality; arrays and objects compare whole
 *   only through `$eq`, see below).
 * - `{"field": {…}}` without operators descends into that field: `{"data":{"country":"DE"}}`.
 * - `{"field": {"$gte": 100, "$lt": 200}}` — every operator must hold: `$eq $neq $in $nin $gt $gte
 *   $lt $lte $exists $startsWith`. Comparisons need a number or a string and hold only against a value
 *   of the same type.
 * - `$and` / `$or` take a non-empty list of filters, `$not` one filter, at any object level.
 *
 * `filterProblems` checks a filter when it is stored (unknown operator, wrong operand, size, depth);
 * `matchesFilter` evaluates a checked filter and never throws.
 */
import type { JsonValue } from '../platform/domain.ts';
import type { ErrorDetail } from '../platform/errors.ts';

export const MAX_FILTER_BYTES = 4 * 1024;
export const MAX_FILTER_DEPTH = 8;

const COMPARISONS = ['$eq', '$neq', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$startsWith'] as const;
const COMBINATORS = ['$and', '$or', '$not'] as const;
type Comparison = (typeof COMPARISONS)[number];

const isObject = (value: unknown): value is { [key: string]: JsonValue } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isComparison = (key: string): key is Comparison => (COMPARISONS as readonly string[]).includes(key);
/** An object is an operator object when it holds a comparison operator; otherwise it is a filter to descend into. */
const isOperatorObject = (value: JsonValue): value is { [key: string]: JsonValue } =>
  isObject(value) && Object.keys(value).some(isComparison);

function depthOf(value: JsonValue): number {
  // Iterative, so a hostile filter cannot overflow the stack while being measured.
  let max = 0;
  const stack: [JsonValue, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [JsonValue, number];
    if (typeof current !== 'object' || current === null) continue;
    max = Math.max(max, depth);
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return max;
}

/** Why a filter cannot be stored, one detail per problem (path from `filter`); empty when it is fine. */
export function filterProblems(filter: unknown, path = 'filter'): ErrorDetail[] {
  if (!isObject(filter)) return [{ path, message: 'a filter is a JSON object' }];
  const bytes = Buffer.byteLength(JSON.stringify(filter));
  if (bytes > MAX_FILTER_BYTES) return [{ path, message: `a filter is at most ${MAX_FILTER_BYTES} bytes of JSON, this one ${bytes}` }];
  if (depthOf(filter) > MAX_FILTER_DEPTH) return [{ path, message: `a filter nests at most ${MAX_FILTER_DEPTH} levels` }];
  const problems: ErrorDetail[] = [];
  checkFilter(filter, path, problems);
  return problems;
}

function checkFilter(filter: { [key: string]: JsonValue }, path: string, problems: ErrorDetail[]): void {
  for (const [key, value] of Object.entries(filter)) {
    const at = `${path}.${key}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) problems.push({ path: at, message: `${key} takes a non-empty list of filters` });
      else {
        value.forEach((item, i) => {
          if (isObject(item)) checkFilter(item, `${at}.${i}`, problems);
          else problems.push({ path: `${at}.${i}`, message: 'a filter is a JSON object' });
        });
      }
    } else if (key === '$not') {
      if (isObject(value)) checkFilter(value, at, problems);
      else problems.push({ path: at, message: '$not takes a filter (a JSON object)' });
    } else if (key.startsWith('$')) {
      problems.push({ path: at, message: `unknown operator ${key}; use ${[...COMPARISONS, ...COMBINATORS].join(' ')}` });
    } else {
      checkCondition(value, at, problems);
    }
  }
}

function checkCondition(condition: JsonValue, path: string, problems: ErrorDetail[]): void {
  if (!isObject(condition)) return; // a plain value: equality
  if (!isOperatorObject(condition)) {
    checkFilter(condition, path, problems);
    return;
  }
  for (const [operator, operand] of Object.entries(condition)) {
    const at = `${path}.${operator}`;
    if (!isComparison(operator)) {
      problems.push({ path: at, message: `${operator} cannot stand beside comparison operators; use ${COMPARISONS.join(' ')}` });
      continue;
    }
    const problem = operandProblem(operator, operand);
    if (problem) problems.push({ path: at, message: problem });
  }
}

function operandProblem(operator: Comparison, operand: JsonValue): string | undefined {
  switch (operator) {
    case '$in':
    case '$nin':
      return Array.isArray(operand) ? undefined : `${operator} takes a list of values`;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return typeof operand === 'number' || typeof operand === 'string' ? undefined : `${operator} takes a number or a string`;
    case '$exists':
      return typeof operand === 'boolean' ? undefined : '$exists takes true or false';
    case '$startsWith':
      return typeof operand === 'string' ? undefined : '$startsWith takes a string';
    default:
      return undefined; // $eq, $neq: any JSON value
  }
}

export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}

function compare(value: JsonValue | undefined, operand: JsonValue, holds: (order: number) => boolean): boolean {
  if (typeof operand === 'number' && typeof value === 'number') return holds(value - operand);
  if (typeof operand === 'string' && typeof value === 'string') return holds(value < operand ? -1 : value > operand ? 1 : 0);
  return false;
}

function comparisonHolds(operator: Comparison, operand: JsonValue, value: JsonValue | undefined): boolean {
  switch (operator) {
    case '$eq':
      return deepEqual(value, operand);
    case '$neq':
      return !deepEqual(value, operand);
    case '$in':
      return Array.isArray(operand) && operand.some((candidate) => deepEqual(value, candidate));
    case '$nin':
      return Array.isArray(operand) && !operand.some((candidate) => deepEqual(value, candidate));
    case '$gt':
      return compare(value, operand, (order) => order > 0);
    case '$gte':
      return compare(value, operand, (order) => order >= 0);
    case '$lt':
      return compare(value, operand, (order) => order < 0);
    case '$lte':
      return compare(value, operand, (order) => order <= 0);
    case '$exists':
      return (value !== undefined) === operand;
    case '$startsWith':
      return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
  }
}

function conditionHolds(condition: JsonValue, value: JsonValue | undefined): boolean {
  if (!isObject(condition)) return deepEqual(value, condition);
  if (!isOperatorObject(condition)) return isObject(value) && matchesFilter(condition, value);
  return Object.entries(condition).every(([operator, operand]) => isComparison(operator) && comparisonHolds(operator, operand, value));
}

/** Whether `document` (the delivered body, or a part of it) passes `filter`. */
export function matchesFilter(filter: { [key: string]: JsonValue }, document: { [key: string]: JsonValue }): boolean {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and') {
      if (!(Array.isArray(condition) && condition.every((f) => isObject(f) && matchesFilter(f, document)))) return false;
    } else if (key === '$or') {
      if (!(Array.isArray(condition) && condition.some((f) => isObject(f) && matchesFilter(f, document)))) return false;
    } else if (key === '$not') {
      if (!isObject(condition) || matchesFilter(condition, document)) return false;
    } else if (!conditionHolds(condition, Object.hasOwn(document, key) ? document[key] : undefined)) {
      return false;
    }
  }
  return true;
}
