/**
 * The API's refusals in the user's language: one message per error code (docs/api.md, Errors), and
 * each `details[]` entry as a translated message at the form field its `path` names. The API's own
 * texts are English; the ones a form can meet are recognised here, anything else is shown inside a
 * translated sentence ("The server refused this value: …") rather than dropped.
 */
import { ApiFailure } from './api.ts';
import { type MessageKey, t } from './i18n.ts';

const CODE_MESSAGES: Record<string, MessageKey> = {
  malformed_request: 'error.malformed',
  unauthorized: 'error.unauthorized',
  forbidden: 'error.forbidden',
  not_found: 'error.notFound',
  method_not_allowed: 'error.malformed',
  conflict: 'error.conflict',
  payload_too_large: 'error.tooLarge',
  unsupported_media_type: 'error.malformed',
  validation_failed: 'error.invalid',
  throttled: 'error.throttled',
  dependency_unavailable: 'error.unavailable',
  internal_error: 'error.internal',
};

type Detail = { path?: string; message: string };

/** The API's detail texts a form can meet, each with the message that says it in the user's language. */
const DETAIL_MESSAGES: Array<[RegExp, (match: RegExpExecArray) => string]> = [
  [/received undefined$/, () => t('field.required')],
  [/^Invalid input: expected int,/, () => t('field.wholeNumber')],
  [
    /^Too (small|big): expected (\w+) to (?:have|be) [<>]=?(\d+)/,
    ([, side, kind, n]) => {
      const count = Number(n);
      const small = side === 'small';
      if (kind === 'array' || kind === 'set') return t(small ? 'field.atLeastItems' : 'field.atMostItems', { count });
      if (kind === 'string') return t(small ? 'field.atLeastChars' : 'field.atMostChars', { count });
      return t(small ? 'field.atLeast' : 'field.atMost', { count });
    },
  ],
  [/^URL is longer than (\d+) characters/, ([, n]) => t('field.atMostChars', { count: Number(n) })],
  [/^Invalid input: expected/, () => t('field.wrongType')],
  [/^(not a valid absolute URL|URL has no host)/, () => t('field.urlInvalid')],
  [/is not allowed \(use https:\)$/, () => t('field.urlHttps')],
  [/^URL must not contain credentials/, () => t('field.urlCredentials')],
  [/^destination \S+ is /, () => t('field.urlNotPublic')],
  [/^must be an event type name, "prefix\.\*" or "\*"/, () => t('field.eventTypePattern')],
  [/^must be 1-128 characters of/, () => t('field.eventTypeName')],
  [/^must be 1-64 characters of/, () => t('field.tenantId')],
  [/^(Invalid key in record|header names must be HTTP tokens)/, () => t('field.headerName')],
  [/^header values may contain only/, () => t('field.headerValue')],
  [/^custom headers may not set/, () => t('field.headerForbidden')],
  [/^at most (\d+) custom headers/, ([, n]) => t('field.atMostItems', { count: Number(n) })],
  [/^unknown operator (\S+);/, ([, operator]) => t('field.filterOperator', { operator: operator ?? '' })],
  [/nests (?:deeper than|at most) (\d+) levels/, ([, n]) => t('field.tooDeep', { count: Number(n) })],
  [/^tenant ids starting with "_" are reserved/, () => t('field.tenantReserved')],
];

/** One detail's text in the user's language. */
export function detailText(message: string): string {
  for (const [pattern, say] of DETAIL_MESSAGES) {
    const match = pattern.exec(message);
    if (match) return say(match);
  }
  return t('field.refused', { reason: message });
}

/**
 * What went wrong, for a banner: the code's message, and for a refusal the details no field took
 * (each with the path it names).
 */
export function failureMessage(failure: ApiFailure, details: Detail[] = failure.details): string {
  if (failure.status === 0) return t('error.network');
  const key = CODE_MESSAGES[failure.code];
  if (!key) return t('error.api', { status: failure.status, message: failure.message });
  const said = details.map((detail) => (detail.path ? t('field.at', { path: detail.path, message: detailText(detail.message) }) : detailText(detail.message)));
  return [t(key), ...said].join(' ');
}

/** The member of `body` that `path` (`eventTypes.0`, `filter.data.$gte`) names, if any. */
function valueAt(body: unknown, path: string[]): unknown {
  let value = body;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Each detail of a refusal at the field its path starts with (one of `fields`), translated; a detail
 * about a list item names the item as sent, one deeper in an object (a filter, a header) names its
 * path. The rest (no path, or a path no field takes) is left for the banner.
 */
function refusedFields<F extends string>(failure: unknown, fields: readonly F[], body?: unknown): { fields: Partial<Record<F, string>>; rest: Detail[] } {
  const found: Partial<Record<F, string>> = {};
  const rest: Detail[] = [];
  if (!(failure instanceof ApiFailure)) return { fields: found, rest };
  for (const detail of failure.details) {
    const [first = '', ...deeper] = detail.path ? detail.path.split('.') : [];
    if (!fields.includes(first as F)) {
      rest.push(detail);
      continue;
    }
    const field = first as F;
    let text = detailText(detail.message);
    if (deeper.length > 0) {
      const item = /^\d+$/.test(deeper.at(-1) ?? '') ? valueAt(body, [first, ...deeper]) : undefined;
      text = t('field.at', { path: item === undefined ? (detail.path ?? '') : JSON.stringify(item), message: text });
    }
    found[field] = [found[field], text].filter(Boolean).join(' ');
  }
  return { fields: found, rest };
}

/**
 * A form's refused request: each field's error shown at it (`show`), and the error for the banner,
 * which says only what no field took ("correct the marked fields" when every detail found its field).
 */
export function formRefusal<F extends string>(failure: unknown, fields: readonly F[], body: unknown, show: (errors: Partial<Record<F, string>>) => void): unknown {
  const refused = refusedFields(failure, fields, body);
  show(refused.fields);
  if (!(failure instanceof ApiFailure)) return failure;
  if (refused.rest.length === 0 && Object.keys(refused.fields).length > 0) return new Error(t('endpoints.fixFields'));
  return new Error(failureMessage(failure, refused.rest));
}
