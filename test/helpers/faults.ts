/** Fault injection at an adapter boundary, for faults the local parts cannot produce (DynamoDB Local never throttles). */

/** An error shaped like the AWS SDK's (a `$metadata` and a service error name). */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

/**
 * Makes `target[method]` throw `error` for the calls `when` picks (by the call's arguments and its
 * 0-based number), and call through otherwise. Returns a function that restores the original.
 */
export function injectFault<T extends object, K extends keyof T>(
  target: T,
  method: K,
  when: (args: unknown[], call: number) => boolean,
  error: () => Error,
): () => void {
  const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  let calls = 0;
  (target as Record<K, unknown>)[method] = async (...args: unknown[]) => {
    const call = calls++;
    if (when(args, call)) throw error();
    return original.apply(target, args);
  };
  return () => {
    (target as Record<K, unknown>)[method] = original;
  };
}
