/** Metric names, defined once: the consumer writes them (EMF) and the CDK alarms and dashboard read them. */

/** The service name in logs and metric dimensions, and the CloudWatch namespace of its metrics. */
export const SERVICE_NAME = 'hookpost';
export const METRICS_NAMESPACE = 'Hookpost';

/** The delivery counters (CloudWatch metrics in METRICS_NAMESPACE; the alarms use these names). */
export const DELIVERY_METRICS = {
  succeeded: 'DeliverySucceeded',
  failed: 'DeliveryFailed',
  deadLettered: 'DeliveryDeadLettered',
  /** A delivery the main consumer handed to the slow lane instead of attempting it (its endpoint had hung). */
  deferredToSlowLane: 'DeliveryDeferredToSlowLane',
  /** A delivery that waited for its endpoint's rate-limit slot (inline, or handed back to its queue); no attempt spent. */
  rateLimited: 'DeliveryRateLimited',
} as const;
export type DeliveryMetric = (typeof DELIVERY_METRICS)[keyof typeof DELIVERY_METRICS];
