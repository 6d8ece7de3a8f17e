/** openapi-typescript types for the API, from openapi.json: what `npm run openapi` writes to client/schema.d.ts. */
import { readFileSync } from 'node:fs';
import openapiTS, { astToString, UNKNOWN } from 'openapi-typescript';

export const SCHEMA_FILE = new URL('./schema.d.ts', import.meta.url);

export async function clientTypes(): Promise<string> {
  const document = JSON.parse(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8'));
  const ast = await openapiTS(document, {
    alphabetize: true,
    // "Any JSON value" (a recursive anyOf) becomes `unknown`: openapi-fetch's Writable<> cannot map the recursive union.
    transform: (schema) => (isAnyJson(schema) ? UNKNOWN : undefined),
  });
  return `/** Generated from openapi.json by \`npm run openapi\` (openapi-typescript). Do not edit. */\n${astToString(ast)}`;
}

function isAnyJson(schema: unknown): boolean {
  const anyOf = (schema as { anyOf?: Array<{ type?: string }> }).anyOf;
  const types = anyOf?.map((member) => member.type).sort().join(',');
  return types === 'array,boolean,null,number,object,string';
}
