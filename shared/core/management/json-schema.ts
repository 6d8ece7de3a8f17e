/**
 * JSON Schema checks for published data. An event type may carry a JSON Schema; it is checked to be a
 * valid schema when stored (PUT/POST) and every published `data` of that type is validated against it.
 * Draft 2020-12 by default; a schema whose `$schema` names draft-07 is read as draft-07.
 * `format` is an annotation only (no format is enforced), so a schema never fails on an unknown format.
 *
 * ajv is loaded on first use: a function that never meets a schema (most publishes, most management
 * requests) does not evaluate it at cold start (about 15 ms of import, `npm run bench:cold`).
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { ErrorDetail } from '../platform/errors.ts';

const MAX_CACHED = 1_000;
const MAX_DETAILS = 20;

/** Compiled validators by schema text: compiling is the costly part, a schema rarely changes. */
const compiled = new Map<string, ValidateFunction>();

type NewAjv = (schema: Record<string, unknown>) => Ajv;
let ajvLoaded: Promise<NewAjv> | undefined;

/** The ajv constructor for a schema's draft, imported once. */
function loadAjv(): Promise<NewAjv> {
  ajvLoaded ??= Promise.all([import('ajv'), import('ajv/dist/2020.js')]).then(([{ Ajv: Ajv07 }, { Ajv2020 }]) => (schema) => {
    // ownProperties: data's own members only; otherwise `{}` has a `constructor` and a `toString` (its
    // prototype's), which `required` takes for present and `properties` validates.
    const options = { allErrors: true, strict: false, validateFormats: false, logger: false, ownProperties: true } as const;
    const draft07 = typeof schema.$schema === 'string' && schema.$schema.includes('draft-07');
    // One instance per schema: two event types may use the same $id without clashing.
    return draft07 ? new Ajv07(options) : (new Ajv2020(options) as unknown as Ajv);
  });
  return ajvLoaded;
}

function toDetails(errors: ErrorObject[] | null | undefined, prefix: string): ErrorDetail[] {
  return (errors ?? []).slice(0, MAX_DETAILS).map((error) => ({
    path: `${prefix}${error.instancePath.replaceAll('/', '.')}`,
    message: `${error.message ?? 'is invalid'}${error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : ''}`,
  }));
}

/** Problems that make `schema` unusable as a JSON Schema; empty when it is fine. */
export async function schemaProblems(schema: Record<string, unknown>): Promise<ErrorDetail[]> {
  const newAjv = await loadAjv();
  const ajv = newAjv(schema);
  if (!ajv.validateSchema(schema)) return toDetails(ajv.errors, 'schema');
  try {
    compiledValidator(newAjv, schema);
    return [];
  } catch (error) {
    // Unresolvable $ref, invalid regex in `pattern`, …
    return [{ path: 'schema', message: (error as Error).message }];
  }
}

function compiledValidator(newAjv: NewAjv, schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = newAjv(schema).compile(schema);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(key, validate);
  }
  return validate;
}

/** Why `data` does not satisfy `schema` (paths like `data.user.email`); empty when it does. */
export async function dataProblems(schema: Record<string, unknown>, data: unknown): Promise<ErrorDetail[]> {
  const validate = compiledValidator(await loadAjv(), schema);
  return validate(data) ? [] : toDetails(validate.errors, 'data');
}
