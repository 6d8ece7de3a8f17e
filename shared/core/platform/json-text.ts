/**
 * JSON as text, without recursion: how deep a parsed value nests (checked before any recursive parser
 * or validator sees it), and where a member's value sits in the text it was parsed from (so `data` is
 * delivered exactly as published, big integers and all, instead of re-serialised from doubles).
 */

/**
 * How deep `data` (and an event type's `example` or `schema`) may nest: the value itself is level 1,
 * `{"a":[1]}` is 2 levels. Deeper values get 422 `validation_failed`; see docs/api.md "Limits".
 */
export const MAX_JSON_DEPTH = 64;

/** True if `value` nests deeper than `maxDepth` levels (arrays and objects each count one). Iterative. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [object, number];
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * True if JSON text nests deeper than `maxDepth`, counting every bracket outside strings: a member
 * JSON.parse drops (a repeated key) counts too, since the text is what is delivered.
 */
export function textNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = skipString(text, i) - 1;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i += 1;
  return i;
}

/** `i` is at an opening quote; returns the index after the closing one. */
function skipString(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j += 2;
    else if (c === 0x22) return j + 1;
    else j += 1;
  }
  return j;
}

/** `i` is at the first character of a value; returns the index after its last. Brackets are counted, never recursed. */
function skipValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === 0x22) return skipString(text, i);
  if (first !== 0x7b && first !== 0x5b) {
    let j = i;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 0x2c || c === 0x7d || c === 0x5d || isSpace(c)) break;
      j += 1;
    }
    return j;
  }
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 0x22) {
      j = skipString(text, j);
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth += 1;
    else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
      if (depth === 0) return j + 1;
    }
    j += 1;
  }
  return j;
}

interface Span {
  start: number;
  end: number;
}

/** The direct members of the object or array starting at `open`: key (or index) → span of its value. */
function members(text: string, open: number): Map<string | number, Span> {
  const out = new Map<string | number, Span>();
  const isObject = text.charCodeAt(open) === 0x7b;
  let i = open + 1;
  let index = 0;
  for (;;) {
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    if (i >= text.length || c === 0x7d || c === 0x5d) return out;
    let key: string | number = index;
    index += 1;
    if (isObject) {
      const keyEnd = skipString(text, i);
      key = JSON.parse(text.slice(i, keyEnd)) as string; // decodes escapes: "d\u0061ta" is "data"
      i = skipSpace(text, keyEnd) + 1; // past the colon
      i = skipSpace(text, i);
    }
    const end = skipValue(text, i);
    out.set(key, { start: i, end }); // a repeated key: the last one wins, as in JSON.parse
    i = skipSpace(text, end);
    if (text.charCodeAt(i) === 0x2c) i += 1;
  }
}

/**
 * The text of the value at `path` in `text`, which must be valid JSON (parse it first); undefined if
 * there is no such value or a step is not an object/array. Iterative: any depth is safe.
 */
export function valueText(text: string, path: readonly (string | number)[]): string | undefined {
  let span: Span = { start: skipSpace(text, 0), end: text.length };
  for (const step of path) {
    const c = text.charCodeAt(span.start);
    if (c !== 0x7b && c !== 0x5b) return undefined;
    const next = members(text, span.start).get(step);
    if (!next) return undefined;
    span = next;
  }
  return text.slice(span.start, skipValue(text, span.start));
}

/** Texts of each element of the array at `path` (one scan for a whole batch), by index. */
export function elementTexts(text: string, path: readonly (string | number)[], member: string): (string | undefined)[] {
  const array = valueText(text, path);
  if (array === undefined || array.charCodeAt(0) !== 0x5b) return [];
  return [...members(array, 0).values()].map(({ start, end }) => {
    const element = array.slice(start, end);
    return element.charCodeAt(0) === 0x7b ? valueText(element, [member]) : undefined;
  });
}

// DEL (0x7f) is left as is: SQS accepts it, and escaping it would let one byte of data take six on the queue.
const NOT_PRINTABLE_ASCII = /[^\x20-\x7f]/g;
const HAS_NOT_PRINTABLE_ASCII = /[^\x20-\x7f]/;
const escapeUnit = (unit: string) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON text with every character outside printable ASCII (and DEL) written as `\uXXXX` (astral
 * characters as their two surrogate escapes). JSON.parse reads it back identically. Outside strings
 * JSON.stringify writes only printable ASCII, so only string contents change. A byte of UTF-8 input
 * takes at most 3 bytes here (a 2-byte character becomes 6, a 4-byte one 12; `"` and `\` become 2,
 * and 2 again inside a string of JSON text such as `dataJson`).
 */
export const asciiJson = (value: unknown): string => {
  const text = JSON.stringify(value);
  return HAS_NOT_PRINTABLE_ASCII.test(text) ? text.replace(NOT_PRINTABLE_ASCII, escapeUnit) : text;
};
