/**
 * The benchmark's webhook receiver, run as its own process so it does not share an event loop with
 * the sender being measured. Listens on 127.0.0.1 (a free port), prints `port <n>` once, reads each
 * request body and answers 200 with a small body; on the IPC message `count` it reports how many
 * requests it has answered. Exits when its parent goes away or after a lifetime cap.
 *
 * With `BENCH_RECEIVER_LATENCIES=1` (the end-to-end and isolation benches) it also keeps, per answered
 * request, the time from the event's `timestamp` (set at publish) to its arrival, handed over and reset
 * on the IPC message `latencies`. `BENCH_RECEIVER_DELAY_MS=n` answers each request n ms after reading
 * it (an endpoint that takes its time, for the consumer-duration harness). For the isolation bench
 * (`BENCH_RECEIVER_ISOLATION=1`): latencies, and a second server on another port (printed as
 * `hang-port <n>`) reads every request and never answers, so the sender's deadline ends it — an
 * endpoint that hangs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const LIFETIME_MS = Number(process.env.BENCH_RECEIVER_LIFETIME_MS ?? 300_000);
const ISOLATION = process.env.BENCH_RECEIVER_ISOLATION === '1';
const LATENCIES = ISOLATION || process.env.BENCH_RECEIVER_LATENCIES === '1';
const DELAY_MS = Number(process.env.BENCH_RECEIVER_DELAY_MS ?? 0);
const RESPONSE_BODY = '{"ok":true}';

let received = 0;
let lastReceivedAt = 0;
/** [arrival epoch ms, publish→arrival ms, event number] triples since the last `latencies` message. */
let latencies: number[] = [];

const server = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => {
    if (LATENCIES) body += chunk.toString();
  });
  request.on('end', () => {
    received += 1;
    lastReceivedAt = Date.now();
    if (LATENCIES) {
      const event = JSON.parse(body) as { timestamp: string; data: { n: number } };
      latencies.push(lastReceivedAt, lastReceivedAt - Date.parse(event.timestamp), event.data.n);
    }
    const answer = () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': RESPONSE_BODY.length });
      response.end(RESPONSE_BODY);
    };
    if (DELAY_MS > 0) setTimeout(answer, DELAY_MS);
    else answer();
  });
});
// Longer than the senders' idle timeout, so neither side's sockets are closed mid-run.
server.keepAliveTimeout = 30_000;

const hanging = ISOLATION
  ? http.createServer((request) => {
      request.resume(); // read the request, answer nothing: the sender's deadline ends it
    })
  : undefined;

const stop = () => {
  for (const s of [server, hanging]) {
    s?.close();
    s?.closeAllConnections();
  }
  process.exit(0);
};
process.on('disconnect', stop);
// The end-to-end bench asks how many deliveries arrived and when the last one did (epoch ms).
process.on('message', (message) => {
  if (message === 'count') process.send?.({ received, lastReceivedAt });
  if (message === 'latencies') {
    process.send?.({ latencies });
    latencies = [];
  }
});
process.on('SIGTERM', stop);
setTimeout(stop, LIFETIME_MS).unref();

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`);
  hanging?.listen(0, '127.0.0.1', () => process.stdout.write(`hang-port ${(hanging.address() as AddressInfo).port}\n`));
});
