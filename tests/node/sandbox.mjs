// What the dashboard test and the screenshot script share: authsim
// processes started on free loopback ports, a webhook receiver on loopback
// that checks every call on its own (its own HMAC, its own JSON parse), and
// the demo platform's signing, done here independently of authsim.

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const platform = JSON.parse(readFileSync(join(root, 'fixtures', 'creditpay.json'), 'utf8')).platforms[0];

// The upstream's scheme: HMAC-SHA1 over the path without /dg and the
// exact body, Base64.
export function sign(signedString, key = platform.signature_key) {
  return createHmac('sha1', key).update(signedString).digest('base64');
}

// Every flag can come from an AUTHSIM_* variable: none from the caller's
// environment reaches the servers started here.
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AUTHSIM_')) env[k] = v;
  return env;
}

// Starts authsim on a free loopback port; resolves once it listens, with
// its base URL and stop().
export function startAuthsim(binary, args = []) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ['--port', '0', '--fixtures', join(root, 'fixtures'), ...args],
      { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGTERM'); reject(new Error(`authsim did not start within 20 s:\n${out}`)); }, 20_000);
    const look = (d) => {
      out += d;
      const m = out.match(/listening on (https?:\/\/[^\s"]+)/);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', look);
        resolvePromise({
          base: m[1],
          output: () => out,
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) { done(child.exitCode); return; }
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
        });
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`authsim exited (${code}) before listening:\n${out}`)); });
  });
}

// A webhook receiver: answers `statuses` in turn (then 200), and checks
// each call's signature and JSON itself. `calls` holds what arrived.
export function startReceiver(statuses = []) {
  const calls = [];
  const server = createHttpServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url, 'http://x').pathname;
      let json = null;
      try { json = JSON.parse(body); } catch (e) { json = null; }
      const status = statuses.length ? statuses.shift() : 200;
      calls.push({ path, body, json, signatureOk: req.headers.signature === sign(path + body), status });
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(status === 200 ? '{"code":0}' : '{"code":500,"msg":"receiver asked to fail"}');
    });
  });
  return new Promise((resolvePromise) => {
    server.listen(0, '127.0.0.1', () => {
      resolvePromise({ url: `http://127.0.0.1:${server.address().port}/webhook`, calls, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

export async function adminCall(base, method, path, body, token) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

// An identify request's parts; `overrides` change the body's fields.
export function identifyBody(overrides = {}) {
  const nonce = randomBytes(5).toString('hex');
  return JSON.stringify({
    custom_no: `dash-${nonce}`,
    customer_token: `tok-${nonce}`,
    // A day ahead: still valid after the tests move the clock an hour.
    token_expire: Date.now() + 86_400_000 * 30,
    callback_url: 'https://partner.example/callback',
    client_ip: '127.0.0.1',
    ...overrides,
  });
}

// Sends identify with `signature` (the right one when undefined).
export async function identify(base, { body = identifyBody(), signature, trace = `dash-${Date.now()}` } = {}) {
  const res = await fetch(`${base}/dg/v1/platform/identify/auth?platId=${platform.plat_id}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json', trace, 'api-key': platform.api_key,
      signature: signature === undefined ? sign('/v1/platform/identify/auth' + body) : signature,
    },
    body,
  });
  return { status: res.status, answer: await res.json(), body };
}

// A code issued and redeemed, as the cashier would: ready for a payment.
export async function redeemedCode(base) {
  const { answer } = await identify(base);
  if (answer.code !== 0) throw new Error(`identify refused: ${JSON.stringify(answer)}`);
  const code = answer.data.ident_code;
  const res = await fetch(`${base}/dg/v1/identify/redirect`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', trace: `redeem-${code}` }, body: JSON.stringify({ ident_code: code }),
  });
  const redeemed = await res.json();
  if (redeemed.code !== 0) throw new Error(`redirect refused: ${JSON.stringify(redeemed)}`);
  return code;
}
