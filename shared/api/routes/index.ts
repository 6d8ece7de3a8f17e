/** Every route, for the local server; each Lambda function imports only its own group. */
import type { Route } from '../router.ts';
import { eventRoutes } from './events.ts';
import { managementRoutes } from './management.ts';

export const allRoutes: Route[] = [...eventRoutes, ...managementRoutes];
