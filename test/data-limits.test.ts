/**
 * The limits every accepted event stays within (docs/api.md "Limits"), and the JSON text helpers they
 * rest on: ASCII-only queue bodies, data text taken from the request, depth checked without recursion.
 */
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, asciiJson, elementTexts, nestsDeeperThan, valueText } from '#shared/core/platform/json-text.ts';
import {
  MAX_PAYLOAD_BYTES_LIMIT,
  MAX_QUEUE_MESSAGE_BYTES,
  MAX_STORED_ITEM_BYTES,
  QUEUE_ENVELOPE_BYTES,
} from '#shared/core/platform/ports.ts';
import { parseQueueMessage, queueBodyBytes, serializeQueueBody } from '#shared/core/platform/queue-message.ts';
import { resolveHookpostProps } from '../cdk/stack-props.ts';

const message = (dataJson: string) => ({
  // The longest type (128) and tenant (64) the API accepts: the envelope at its largest.
  id: 'msg_01JD7S0000000000000000000',
  type: 't'.repeat(128),
  tenant: 'a'.repeat(64),
  timestamp: '2026-12-01T00:00:00.000Z',
  dataJson,
});

describe('the largest accepted payload fits the queue and the table', () => {
  it.each([
    ['2-byte characters (6 bytes escaped each)', 'ë'],
    ['astral characters (12 bytes escaped each)', '😀'],
    ['quotes (\\" inside a JSON string, escaped again in dataJson)', '\\"'],
  ])('%s: the worst case stays under 1 MiB with the dead-letter envelope to spare', (_, unit) => {
    const inner = unit.repeat(Math.floor((MAX_PAYLOAD_BYTES_LIMIT - 8) / Buffer.byteLength(unit)));
    const dataJson = `{"s":"${inner}"}`;
    expect(Buffer.byteLength(dataJson)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES_LIMIT);
    const bytes = queueBodyBytes({ kind: 'event', message: message(dataJson) });
    expect(bytes).toBeLessThanOrEqual(MAX_QUEUE_MESSAGE_BYTES - QUEUE_ENVELOPE_BYTES);
    // A kept message: the text as a string attribute plus keys and ids, well under 400 KB.
    expect(Buffer.byteLength(dataJson) + 1024).toBeLessThanOrEqual(MAX_STORED_ITEM_BYTES);
  });

  it('the CDK stack refuses a maxPayloadBytes past the limit, with the reason', () => {
    expect(resolveHookpostProps({ maxPayloadBytes: MAX_PAYLOAD_BYTES_LIMIT }).maxPayloadBytes).toBe(MAX_PAYLOAD_BYTES_LIMIT);
    expect(() => resolveHookpostProps({ maxPayloadBytes: MAX_PAYLOAD_BYTES_LIMIT + 1 })).toThrow(
      /maxPayloadBytes must be 1\.\.327680 .*escaped to ASCII.*DynamoDB item/,
    );
  });
});

describe('queue bodies', () => {
  it('are printable ASCII, and read back to the same message', () => {
    const dataJson = '{"name":"Zoë 😀","odd":"\uFFFE\uFFFF","sep":"\u2028","n":12345678901234567890}';
    const body = serializeQueueBody({ kind: 'event', message: message(dataJson) });
    expect(body).toMatch(/^[\x20-\x7f]*$/);
    expect(body).toContain('\\ud83d\\ude00');
    expect(parseQueueMessage(body)).toEqual({ kind: 'event', message: message(dataJson) });
  });

  it('queued before dataJson existed (a parsed data) are still read', () => {
    const { dataJson: _, ...old } = message('');
    const parsed = parseQueueMessage(JSON.stringify({ kind: 'delivery', message: { ...old, data: { a: [1, 'x'] } }, subscriptionId: 's', attempt: 2, dueAt: 0 }));
    expect(parsed).toMatchObject({ kind: 'delivery', attempt: 2, message: { dataJson: '{"a":[1,"x"]}' } });
    expect(() => parseQueueMessage(JSON.stringify({ kind: 'event', message: old }))).toThrow();
  });
});

describe('JSON text helpers', () => {
  it("take a member's value text as written, last duplicate key winning as in JSON.parse", () => {
    const text = ' { "type" : "a", "data" : {"old": 1}, "d\\u0061ta" : {"id": 12345678901234567890, "s": "]}\\"{", "f": 1e400} } ';
    expect(valueText(text, ['data'])).toBe('{"id": 12345678901234567890, "s": "]}\\"{", "f": 1e400}');
    expect(valueText(text, ['missing'])).toBeUndefined();
    expect(valueText('[1,2]', ['data'])).toBeUndefined();
  });

  it("take each batch item's data, or nothing for an item that is not an object", () => {
    const text = '{"events":[{"type":"a","data":{"n":1.000}}, 5, {"data":"x\\"}"}, {"data":{"q":[[]]},"type":"b"}]}';
    expect(elementTexts(text, ['events'], 'data')).toEqual(['{"n":1.000}', undefined, '"x\\"}"', '{"q":[[]]}']);
  });

  it('measure depth without recursion (100,000 levels) and count the value itself as level 1', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(nestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan({ a: [[1]] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [[1]] }, 2)).toBe(true);
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });

  it('escape everything outside printable ASCII, DEL aside, so JSON.parse reads the same value', () => {
    const value = { s: 'a\u0000\u001f\u007f\u0080ë\uFFFE\uFFFF😀\ud800' };
    const text = asciiJson(value);
    expect(text).toMatch(/^[\x20-\x7f]*$/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('depth of JSON text', () => {
  it('counts brackets outside strings, including a member a repeated key drops', async () => {
    const { textNestsDeeperThan } = await import('#shared/core/platform/json-text.ts');
    expect(textNestsDeeperThan('{"a":"[[[[{{{{","b":[[1]]}', 3)).toBe(false);
    expect(textNestsDeeperThan('{"a":"[[[[{{{{","b":[[1]]}', 2)).toBe(true);
    expect(textNestsDeeperThan('{"a":[[[[0]]]],"a":0}', 4)).toBe(true);
    expect(textNestsDeeperThan('{"a":"\\"[[[["}', 1)).toBe(false);
  });
});
