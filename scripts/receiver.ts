/**
 * A tiny webhook receiver for trying Hookpost locally (README "Try it"): verifies every POST with the
 * public `standardwebhooks` library (HMAC `v1` signatures; docs/verifying.md for Ed25519) and prints it.
 *   WEBHOOK_SECRET=whsec_… node --import tsx scripts/receiver.ts   (RECEIVER_PORT defaults to 4000;
 *   PORT is npm run dev's, so it is not read here)
 * `npm run test:readme` reads its lines: "receiver on …", "verified <id>: …" and "REJECTED <id>: …".
 */
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('Set WEBHOOK_SECRET to the subscription secret (whsec_…)');
  process.exit(1);
}
const webhook = new Webhook(secret);
const port = Number(process.env.RECEIVER_PORT || 4000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`RECEIVER_PORT must be a port number, got "${process.env.RECEIVER_PORT}"`);
  process.exit(2);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    try {
      const event = webhook.verify(body, headers);
      console.log(`verified ${headers['webhook-id']}:`, JSON.stringify(event));
      res.writeHead(204).end();
    } catch (error) {
      console.log(`REJECTED ${headers['webhook-id']}: ${(error as Error).message}`);
      res.writeHead(400).end();
    }
  });
});

server.listen(port, '127.0.0.1', () => console.log(`receiver on http://127.0.0.1:${port}/webhook`));
// Ctrl-C in the foreground, `kill $RECEIVER` in the background: stop listening and exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
