/** Writes openapi.json (repo root) from the zod schemas: `npm run openapi`. A test fails if it drifts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { openApiDocument } from '#shared/api/openapi.ts';
import { allRoutes } from '#shared/api/routes.ts';

const root = new URL('../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
writeFileSync(new URL('openapi.json', root), `${JSON.stringify(openApiDocument(version, allRoutes), null, 2)}\n`);
console.log(`openapi.json written (${allRoutes.length} routes, version ${version})`);

// The typed client's types follow the document (client/schema.d.ts; test/console/client.test.ts checks it).
const { clientTypes, SCHEMA_FILE } = await import('../client/generate.ts');
writeFileSync(SCHEMA_FILE, await clientTypes());
console.log('client/schema.d.ts written');
