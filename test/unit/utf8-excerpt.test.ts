/**
 * The sender decodes a response excerpt chunk by chunk, holding back a character split at a chunk's
 * end. completeUtf8Length decides where that character starts: it must agree with Node's own
 * StringDecoder on any bytes at all, valid UTF-8 or not.
 */
import { StringDecoder } from 'node:string_decoder';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeUtf8Length } from '#shared/adapters/http/sender.ts';

const decodedLikeNode = (bytes: Buffer) => new StringDecoder('utf8').write(bytes);
const decodedHere = (bytes: Buffer) => bytes.toString('utf8', 0, completeUtf8Length(bytes));

describe('completeUtf8Length', () => {
  it('cuts exactly an incomplete last character', () => {
    const euro = Buffer.from('a€', 'utf8'); // 61 e2 82 ac
    expect(completeUtf8Length(euro)).toBe(4);
    expect(completeUtf8Length(euro.subarray(0, 3))).toBe(1);
    expect(completeUtf8Length(euro.subarray(0, 2))).toBe(1);
    expect(completeUtf8Length(Buffer.from('😀', 'utf8').subarray(0, 3))).toBe(0);
    expect(completeUtf8Length(Buffer.alloc(0))).toBe(0);
  });

  it('decodes any bytes as StringDecoder does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (array) => {
        const bytes = Buffer.from(array);
        expect(decodedHere(bytes)).toBe(decodedLikeNode(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes text split anywhere as StringDecoder does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.nat(), (text, at) => {
        const bytes = Buffer.from(text, 'utf8');
        const cut = bytes.subarray(0, at % (bytes.length + 1));
        expect(decodedHere(cut)).toBe(decodedLikeNode(cut));
      }),
      { numRuns: 2000 },
    );
  });
});
