/** The management function's HTTP sender: its module is imported on the first POST, never before. */
import { describe, expect, it } from 'vitest';
import { senderOnFirstUse } from '#shared/adapters/http/sender-on-first-use.ts';
import type { ClosableTransport, HttpRequest } from '#shared/core/platform/ports.ts';

const request: HttpRequest = { url: 'https://example.com/hook', headers: {}, body: '{}', timeoutMs: 1000 };

function loader() {
  const calls = { loads: 0, posts: 0, closes: 0, settings: [] as unknown[] };
  const load = async () => {
    calls.loads += 1;
    return (settings: { allowPrivateTargets: boolean }): ClosableTransport => {
      calls.settings.push(settings);
      return {
        post: async () => {
          calls.posts += 1;
          return { kind: 'response', statusCode: 204, headers: {}, bodyExcerpt: '', durationMs: 1 };
        },
        close: async () => {
          calls.closes += 1;
        },
      };
    };
  };
  return { calls, load };
}

describe('senderOnFirstUse', () => {
  it('loads nothing until the first POST, then loads once and builds the sender with the settings', async () => {
    const { calls, load } = loader();
    const sender = senderOnFirstUse(load)({ allowPrivateTargets: true });
    expect(calls.loads).toBe(0);

    const results = await Promise.all([sender.post(request), sender.post(request)]);
    await sender.post(request);

    expect(results.map((r) => r.kind)).toEqual(['response', 'response']);
    expect(calls).toMatchObject({ loads: 1, posts: 3, settings: [{ allowPrivateTargets: true }] });
    await sender.close();
    expect(calls.closes).toBe(1);
  });

  it('closes without loading when nothing was ever sent', async () => {
    const { calls, load } = loader();
    await senderOnFirstUse(load)({ allowPrivateTargets: false }).close();
    expect(calls).toMatchObject({ loads: 0, closes: 0 });
  });
});
