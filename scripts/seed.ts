/**
 * Loads the sample event-type catalogue into a running Hookpost through its API (PUT creates or replaces,
 * so running it twice is harmless): `HOOKPOST_ADMIN_KEY=hp_… npm run seed` (HOOKPOST_URL defaults to
 * http://127.0.0.1:3000; a file path argument replaces catalogue/event-types.json).
 */
import { readFileSync } from 'node:fs';

interface CatalogueEntry {
  type: string;
  description: string;
  schema?: Record<string, unknown>;
  example?: unknown;
}

const baseUrl = (process.env.HOOKPOST_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const adminKey = process.env.HOOKPOST_ADMIN_KEY;
const file = process.argv[2] ?? new URL('../catalogue/event-types.json', import.meta.url);

if (!adminKey) {
  console.error('Set HOOKPOST_ADMIN_KEY (the key `npm run dev` printed).');
  process.exit(2);
}

const catalogue = JSON.parse(readFileSync(file, 'utf8')) as CatalogueEntry[];
let failed = 0;
for (const { type, ...body } of catalogue) {
  const response = await fetch(`${baseUrl}/v1/event-types/${encodeURIComponent(type)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const outcome = response.status === 201 ? 'created' : response.status === 200 ? 'replaced' : `failed: ${response.status} ${await response.text()}`;
  if (response.status >= 300) failed += 1;
  console.log(`${type}: ${outcome}`);
}
process.exit(failed === 0 ? 0 : 1);
