/**
 * The delivery engine's one door: everything outside `core/engine` (the management use cases, the
 * adapters, the functions, the stack) imports the engine from here. The engine fans a queued event out
 * to its subscriptions, makes each signed attempt through a `Transport`, retries, paces, moves hanging
 * endpoints to the slow lane, keeps FIFO order and dead-letters. It imports the platform
 * (`core/platform`) and nothing of the management use cases.
 */
export { attemptDelivery, type DeliveryDeps } from './delivery.ts';
export { checkUrl, type GuardOptions, nonPublicReason } from './destinations.ts';
export { dispatch, type DispatchDeps, type DispatchOptions } from './dispatch.ts';
export {
  createDispatcher,
  createFifoDeliverer,
  type Dispatcher,
  type DispatcherOptions,
  type DispatcherPorts,
  deliveryDeps,
  dispatchDeps,
  type FifoDeliverer,
  subscriptionDirectory,
} from './dispatcher.ts';
export {
  createFifoRouter,
  deliverInOrder,
  FIFO_MAX_RECEIVE_COUNT,
  type FifoOutcome,
  type FifoReceipt,
  type FifoRouter,
  runFifoBatch,
} from './fifo.ts';
export { filterProblems } from './filter.ts';
export { wantsMessage } from './match.ts';
export { DELIVERY_METRICS, type DeliveryMetric, METRICS_NAMESPACE, SERVICE_NAME } from './metrics.ts';
export { newEd25519SigningKey, publicKeyOf, SIGNING_KEY_PREFIX, signatureHeader } from './sign.ts';
