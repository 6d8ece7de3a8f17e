/**
 * A tiny webhook receiver for trying Hookpost locally: verifies every POST with the public
 * `standardwebhooks` library and prints it.
 *   WEBHOOK_SECRET=whsec_… npx tsx scripts/receiver.ts   (PORT defaults to 4000)
 */
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('Set WEBHOOK_SECRET to the subscription secret (whsec_…)');
  process.exit(1);
}
const webhook = new Webhook(secret);
const port = Number(process.env.PORT ?? 4000);

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
process.on('SIGINT', () => server.close(() => process.exit(0)));
