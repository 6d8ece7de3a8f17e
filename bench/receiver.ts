/**
 * The benchmark's webhook receiver, run as its own process so it does not share an event loop with
 * the sender being measured. Listens on 127.0.0.1 (a free port), prints `port <n>` once, reads each
 * request body and answers 200 with a small body; on the IPC message `count` it reports how many
 * requests it has answered. Exits when its parent goes away or after a lifetime cap.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const LIFETIME_MS = Number(process.env.BENCH_RECEIVER_LIFETIME_MS ?? 300_000);
const RESPONSE_BODY = '{"ok":true}';

let received = 0;
let lastReceivedAt = 0;

const server = http.createServer((request, response) => {
  request.on('data', () => {});
  request.on('end', () => {
    received += 1;
    lastReceivedAt = Date.now();
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': RESPONSE_BODY.length });
    response.end(RESPONSE_BODY);
  });
});
// Longer than the senders' idle timeout, so neither side's sockets are closed mid-run.
server.keepAliveTimeout = 30_000;

const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('disconnect', stop);
// The end-to-end bench asks how many deliveries arrived and when the last one did (epoch ms).
process.on('message', (message) => {
  if (message === 'count') process.send?.({ received, lastReceivedAt });
});
process.on('SIGTERM', stop);
setTimeout(stop, LIFETIME_MS).unref();

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`);
});
