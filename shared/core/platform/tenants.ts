/** Tenant ids that start with `_` are Hookpost's own: only admin keys manage them, nobody publishes into them. */
export const isReservedTenant = (tenant: string | undefined): boolean => tenant?.startsWith('_') ?? false;

/** The reserved tenant Hookpost publishes its operational events to (core/platform/operational-events.ts). */
export const OPERATIONS_TENANT = '_operations';
