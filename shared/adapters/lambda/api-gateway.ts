/**
 * An API Gateway HTTP API event (payload 2.0) as Hono's adapter should read it. A body API Gateway hands
 * over as text becomes UTF-8 bytes there; a lone surrogate in it has no UTF-8 bytes and would become
 * U+FFFD, so such a body is handed over as its WTF-8 bytes instead, which the app refuses (400) as it
 * refuses any body that is not valid UTF-8 — never a rewritten one.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Hono } from 'hono';
import { handle, type LambdaEvent } from 'hono/aws-lambda';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8, except that a lone surrogate is written as its three bytes (ED A0 80–ED BF BF), which no strict decoder accepts. */
function wtf8(text: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++; // a pair: ordinary UTF-8
      continue;
    }
    parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.from([0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]));
    start = i + 1;
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

function fromApiGateway(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  if (event.isBase64Encoded || !event.body || !LONE_SURROGATE.test(event.body)) return event;
  return { ...event, body: wtf8(event.body).toString('base64'), isBase64Encoded: true };
}

export type ApiGatewayHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** A Hono app as an API Gateway (payload 2.0) Lambda handler, through Hono's own adapter. */
export function apiGatewayApp(app: Hono, options?: Parameters<typeof handle>[1]): ApiGatewayHandler {
  const serve = handle(app, options);
  // Hono's event type spells an absent body `null` where aws-lambda's says `undefined`; both mean none.
  return async (event, context) => (await serve(fromApiGateway(event) as unknown as LambdaEvent, context)) as APIGatewayProxyStructuredResultV2;
}
