/** What several resources' schemas share: paging, timestamps, the tenant path parameter, and the core-type check. */
import * as z from 'zod';
import { tenantIdSchema } from '../core/management/inputs.ts';

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export const timestamp = () => z.string().meta({ format: 'date-time' });

export const tenantParams = z.object({ tenant: tenantIdSchema });

/**
 * A response schema shows a core type: the same fields, and what it describes fits the type. A field
 * added to one and not the other fails the typecheck (see the `Shows` lines below each schema).
 */
type SameShape<Schema extends z.ZodType, T> = [keyof z.output<Schema>] extends [keyof T]
  ? [keyof T] extends [keyof z.output<Schema>]
    ? [z.output<Schema>] extends [T]
      ? true
      : false
    : false
  : false;
export type Shows<Schema extends z.ZodType, T> = SameShape<Schema, T> extends true ? true : never;
