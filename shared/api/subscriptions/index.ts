/** Every route under /v1/tenants/{tenant}/subscriptions (and a tenant's kept messages). */
import { attemptRoutes } from './attempts.ts';
import { recoveryRoutes } from './recovery.ts';
import { endpointRoutes } from './routes.ts';
import { secretRoutes } from './secrets.ts';
import { statsRoutes } from './stats.ts';

export const subscriptionRoutes = [...endpointRoutes, ...secretRoutes, ...attemptRoutes, ...statsRoutes, ...recoveryRoutes];
