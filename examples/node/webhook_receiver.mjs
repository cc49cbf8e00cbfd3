// A platform's side of Credit Pay, in Node.js (no packages).
//
// Two endpoints, as a platform implements them:
//   POST /webhook       Credit Pay's payment events. The signature is checked
//                       first (401 when wrong); an event already processed
//                       (the same event_id, sent again or retried) is
//                       acknowledged with 200 and not processed twice.
//   POST /credit-limit  Credit Pay's credit-limit query
//                       (GET_DEFAULT_ACCOUNT_CREDIT_LIMIT): the signature is
//                       checked, and the answer carries one card in the
//                       currency and with the decimals asked for.
//
// Both signatures are Base64 of HMAC-SHA1, keyed with the platform's
// signature key, over the path of the URL (without its query) followed by
// the raw body.
//
// Run:   node examples/node/webhook_receiver.mjs [PORT]
// It listens on 127.0.0.1 (PORT 0, the default, picks a free one), prints
// "listening on http://127.0.0.1:PORT", then one line per request:
//   processed TYPE EVENT_ID retry=N
//   duplicate TYPE EVENT_ID retry=N
//   refused EVENT_ID: bad signature
//   credit limit CURRENCY DIGITS
// AUTHSIM_SIGNATURE_KEY replaces the demo platform's signature key.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const SIGNATURE_KEY =
  process.env.AUTHSIM_SIGNATURE_KEY ||
  '18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx';
const MAX_BODY = 1024 * 1024;

const processed = new Set();

function expectedSignature(path, body) {
  return createHmac('sha1', SIGNATURE_KEY).update(path).update(body).digest('base64');
}

function sameText(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function answer(res, status, document) {
  const body = JSON.stringify(document);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function webhook(res, event) {
  const seen = processed.has(event.event_id);
  processed.add(event.event_id);
  // Idempotent: a retried or repeated event is acknowledged, once processed.
  console.log(`${seen ? 'duplicate' : 'processed'} ${event.type} ${event.event_id} retry=${event.retry}`);
  answer(res, 200, { received: event.event_id });
}

function creditLimit(res, query) {
  const currency = query?.data?.currency ?? 'CNY';
  const digits = Number(query?.data?.digits ?? '2');
  console.log(`credit limit ${currency} ${digits}`);
  const amount = (28000).toFixed(digits);
  const card = {
    tag: 'card-1',
    amount,
    currency,
    icon: 'https://platform.example/icon.ico',
    input: `<div>Platform card: <b>${amount}</b> ${currency}</div>`,
  };
  answer(res, 200, { data: { tag: 'card-1', available_cards: [card] } });
}

const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  req.on('end', () => {
    if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' });
    if (size > MAX_BODY) return answer(res, 413, { error: 'body too large' });
    const body = Buffer.concat(chunks);
    const path = new URL(req.url, 'http://receiver').pathname;
    if (!sameText(req.headers.signature ?? '', expectedSignature(path, body))) {
      let id = path;
      try {
        id = JSON.parse(body).event_id || path;
      } catch {
        // not JSON: named by its path
      }
      console.log(`refused ${id}: bad signature`);
      return answer(res, 401, { error: 'bad signature' });
    }
    let message;
    try {
      message = JSON.parse(body);
    } catch {
      return answer(res, 400, { error: 'not JSON' });
    }
    if (path === '/webhook') return webhook(res, message);
    if (path === '/credit-limit') return creditLimit(res, message);
    return answer(res, 404, { error: 'no such endpoint' });
  });
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
