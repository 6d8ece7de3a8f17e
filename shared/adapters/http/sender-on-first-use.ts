/**
 * An HTTP sender whose module (undici with it) is imported on the first POST rather than at cold start.
 * For the management function, which sends only test events: every other route it serves stays free
 * of undici's import time (about 18 ms, `npm run bench:cold`).
 */
import type { ClosableTransport } from '../../core/platform/ports.ts';

type SenderFactory<S> = (settings: S) => ClosableTransport;

export function senderOnFirstUse<S>(load: () => Promise<SenderFactory<S>>): SenderFactory<S> {
  return (settings) => {
    let sender: Promise<ClosableTransport> | undefined;
    const loaded = () => {
      sender ??= load().then((create) => create(settings));
      return sender;
    };
    return {
      post: async (request) => (await loaded()).post(request),
      // Nothing to close if nothing was ever sent.
      close: async () => {
        if (sender) await (await sender).close();
      },
    };
  };
}
