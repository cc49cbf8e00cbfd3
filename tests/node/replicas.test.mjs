// The shared sandbox of examples/replicas, run for real on loopback: the
// layout compose.yaml describes (Redis, three authsim replicas with the
// compose file's settings, nginx with the nginx.conf beside it), with
// Docker's service names replaced by local sockets and ports. No Docker
// engine runs here, so the files are checked against the project and then
// exercised through the balancer as a partner would.
//
//   node tests/node/replicas.test.mjs AUTHSIM_BINARY
//
// Checked: compose.yaml has Redis without persistence, three authsim
// services built from the project's Dockerfile with AUTHSIM_STATE on that
// Redis, and a balancer publishing 8080 with nginx.conf; nginx.conf sends
// to exactly those services on the image's port. Through the balancer
// (round robin over the replicas): the health call with the admin token
// (and a refusal without it), a code issued by one replica and redeemed by
// exactly one of three attempts landing on three replicas, a clock move
// seen by every replica, the journal listing calls from all of them, and a
// payment's webhooks delivered once each to a receiver on loopback.

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node replicas.test.mjs AUTHSIM_BINARY');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const exampleDir = join(root, 'examples', 'replicas');
const fixtures = JSON.parse(readFileSync(join(root, 'fixtures', 'creditpay.json'), 'utf8'));
const platform = fixtures.platforms[0];

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}`);
  if (!ok) failures += 1;
}

// ---------------------------------------------------------------- files ---

const compose = parse(readFileSync(join(exampleDir, 'compose.yaml'), 'utf8'));
const nginxConf = readFileSync(join(exampleDir, 'nginx.conf'), 'utf8');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const services = compose.services ?? {};
const replicaNames = Object.keys(services).filter((name) => services[name].image === 'authsim');

check(replicaNames.length === 3, `compose.yaml has three authsim replicas (${replicaNames.join(', ')})`);
const redisService = services.redis;
check(redisService?.image?.startsWith('redis:7'), 'compose.yaml runs Redis 7 as "redis"');
check(JSON.stringify(redisService?.command ?? []).includes('"--save",""') &&
      JSON.stringify(redisService?.command ?? []).includes('"--appendonly","no"'), 'Redis keeps nothing on disk');
const imagePort = dockerfile.match(/AUTHSIM_PORT=(\d+)/)?.[1];
check(imagePort === '8080', `the image listens on ${imagePort}`);
for (const name of replicaNames) {
  const s = services[name];
  check(existsSync(join(resolve(exampleDir, s.build ?? '.'), 'Dockerfile')), `${name} is built from the project's Dockerfile`);
  check(s.environment?.AUTHSIM_STATE === 'redis://redis:6379', `${name} keeps its state in the "redis" service`);
  check((s.depends_on ?? []).includes('redis'), `${name} starts after Redis`);
}
const upstream = [...nginxConf.matchAll(/^\s*server\s+([\w.-]+):(\d+);/gm)].map((m) => [m[1], m[2]]);
check(JSON.stringify(upstream.map(([host]) => host).sort()) === JSON.stringify([...replicaNames].sort()),
      'nginx.conf balances over exactly the replicas');
check(upstream.every(([, port]) => port === imagePort), 'nginx.conf reaches them on the image\'s port');
const balancer = services.balancer;
check((balancer?.ports ?? []).includes('8080:8080'), 'the balancer publishes port 8080');
check((balancer?.volumes ?? []).some((v) => v.startsWith('./nginx.conf:/etc/nginx/nginx.conf')), 'the balancer uses nginx.conf');

// ------------------------------------------------------------ processes ---

const work = mkdtempSync(join(tmpdir(), 'authsim-replicas-'));
const children = [];
function start(command, args, env = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  return { child, out: () => out, err: () => err };
}
// Resolves once `text` has been printed (stdout or stderr), at most 20 s.
function waitFor(proc, text) {
  return new Promise((resolvePromise, reject) => {
    const deadline = setTimeout(() => reject(new Error(`not printed within 20 s: ${text}\n${proc.out()}${proc.err()}`)), 20_000);
    const look = () => {
      if (proc.out().includes(text) || proc.err().includes(text)) {
        clearTimeout(deadline);
        resolvePromise();
        return true;
      }
      return false;
    };
    if (look()) return;
    proc.child.stdout.on('data', look);
    proc.child.stderr.on('data', look);
    proc.child.on('exit', (code) => reject(new Error(`exited (${code}) before printing ${text}\n${proc.out()}${proc.err()}`)));
  });
}
function freePort() {
  return new Promise((resolvePromise) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolvePromise(port));
    });
  });
}

async function main() {
  const socket = join(work, 'redis.sock');
  const redis = start('redis-server', ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700',
                                       ...redisService.command.slice(1), '--dir', work]);
  await waitFor(redis, 'eady to accept connections');

  const balancerPort = await freePort();
  const base = `http://127.0.0.1:${balancerPort}`;
  const ports = [];
  for (const name of replicaNames) {
    const env = { ...services[name].environment, AUTHSIM_STATE: `unix://${socket}`, AUTHSIM_PUBLIC_BASE_URL: base,
                  AUTHSIM_PORT: '0', AUTHSIM_HOST: '127.0.0.1', AUTHSIM_FIXTURES: join(root, 'fixtures'),
                  AUTHSIM_LOG_LEVEL: 'warn' };
    const replica = start(binary, [], env);
    await waitFor(replica, 'listening on ');
    ports.push(Number(replica.out().match(/listening on http:\/\/127\.0\.0\.1:(\d+)/)[1]));
  }

  // nginx.conf as it is, but for the addresses and the paths of a process
  // that runs as this user.
  let conf = nginxConf;
  replicaNames.forEach((name, i) => { conf = conf.replace(`server ${name}:${imagePort};`, `server 127.0.0.1:${ports[i]};`); });
  conf = conf.replace(/listen\s+8080;/, `listen 127.0.0.1:${balancerPort};`);
  conf = conf.replace('events {}', `daemon off;\npid ${work}/nginx.pid;\nerror_log ${work}/nginx-error.log warn;\nevents {}`);
  conf = conf.replace('http {', `http {\n  access_log off;\n  client_body_temp_path ${work}/body;\n  proxy_temp_path ${work}/proxy;\n  fastcgi_temp_path ${work}/fastcgi;\n  uwsgi_temp_path ${work}/uwsgi;\n  scgi_temp_path ${work}/scgi;`);
  writeFileSync(join(work, 'nginx.conf'), conf);
  const nginx = start(process.env.AUTHSIM_NGINX || '/usr/sbin/nginx', ['-p', work, '-c', join(work, 'nginx.conf'), '-e', `${work}/nginx-error.log`]);
  // Ready once it answers: a refused connection means not yet.
  const admin = { Authorization: `Bearer ${services[replicaNames[0]].environment.AUTHSIM_ADMIN_TOKEN}` };
  let health;
  for (let i = 0; i < 200 && !health; i += 1) {
    try {
      health = await fetch(`${base}/__admin/health`, { headers: admin, signal: AbortSignal.timeout(5_000) });
    } catch {
      if (nginx.child.exitCode !== null) throw new Error(`nginx exited: ${nginx.err()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  check(health?.status === 200, 'the health call through the balancer answers 200');
  const healthBody = await health.json();
  check(healthBody.state?.backend === 'redis' && healthBody.state?.connected === true &&
        healthBody.state?.prefix === 'sandbox', 'health says the state is in Redis, connected, under prefix "sandbox"');
  const refused = await fetch(`${base}/__admin/health`);
  check(refused.status === 401, `without the admin token the admin API refuses (${refused.status})`);

  // A code issued through the balancer, redeemed three times: each attempt
  // lands on another replica, and exactly one succeeds.
  const nonce = randomBytes(6).toString('hex');
  const body = JSON.stringify({ custom_no: `replicas-${nonce}`, customer_token: `tok-${nonce}`,
                                token_expire: Date.now() + 3600_000, callback_url: 'https://partner.example/cb',
                                client_ip: '127.0.0.1' });
  const signature = createHmac('sha1', platform.signature_key).update('/v1/platform/identify/auth' + body).digest('base64');
  const issued = await (await fetch(`${base}/dg/v1/platform/identify/auth?platId=${platform.plat_id}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', trace: `r-${nonce}`, 'api-key': platform.api_key, signature }, body,
  })).json();
  check(issued.code === 0, `identify through the balancer: code ${issued.code}`);
  check(issued.data?.url?.startsWith(`${base}/dg/oauth?ident_code=`), 'the code\'s url is on the public base URL');
  const codes = [];
  for (let i = 0; i < 3; i += 1) {
    const answer = await (await fetch(`${base}/dg/v1/identify/redirect`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', trace: `r-${nonce}-${i}` },
      body: JSON.stringify({ ident_code: issued.data.ident_code }),
    })).json();
    codes.push(answer.code);
  }
  check(codes.filter((c) => c === 0).length === 1 && codes.filter((c) => c === 40022).length === 2,
        `the code is redeemed once in three attempts (${codes.join(', ')})`);

  // A clock move through one replica, read through each.
  const moved = await fetch(`${base}/__admin/clock`, { method: 'PUT', headers: admin, body: '{"advance_ms":60000}' });
  check(moved.status === 200, 'the clock moves');
  const offsets = [];
  for (let i = 0; i < 3; i += 1) {
    offsets.push((await (await fetch(`${base}/__admin/clock`, { headers: admin })).json()).offset_ms);
  }
  check(offsets.every((o) => o === 60000), `every replica reads the moved clock (${offsets.join(', ')})`);

  // The journal has the four calls, whichever replica served them.
  const journal = await (await fetch(`${base}/__admin/requests`, { headers: admin })).json();
  check(journal.entries.length === 4, `the journal lists the 4 calls of all replicas (${journal.entries.length})`);

  // A payment of the redeemed code started through the balancer: its two
  // webhook events reach a receiver on loopback once each, whichever
  // replica sends them, signed as the platform verifies (the receiver's
  // own HMAC), and the event list reads the same through every replica.
  const arrivals = [];
  const receiver = createHttpServer((req, res) => {
    let data = '';
    req.on('data', (d) => { data += d; });
    req.on('end', () => {
      arrivals.push({ path: req.url, signature: req.headers.signature, body: data });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
    const set = await fetch(`${base}/__admin/platforms/${platform.plat_id}/endpoints`, {
      method: 'PUT', headers: admin, body: JSON.stringify({ webhook_url: hook }) });
    check(set.status === 200, 'the webhook URL is set through the balancer');
    const payment = await (await fetch(`${base}/__admin/payments`, {
      method: 'POST', headers: admin,
      body: JSON.stringify({ ident_code: issued.data.ident_code, outcome: 'assign_failed', amount: '1.00' }) })).json();
    check(typeof payment.payment_id === 'string', `a payment starts through the balancer (${payment.payment_id})`);
    await fetch(`${base}/__admin/clock`, { method: 'PUT', headers: admin, body: '{"advance_ms":5000}' });
    const waited = await (await fetch(`${base}/__admin/webhooks/wait?payment_id=${payment.payment_id}&count=2&timeout_ms=10000`,
                                      { headers: admin })).json();
    check(waited.matched === 2, `both events are delivered (${JSON.stringify(waited)})`);
    const ids = arrivals.map((a) => JSON.parse(a.body).event_id);
    check(arrivals.length === 2 && new Set(ids).size === 2, `the receiver got each event once (${arrivals.length} arrival(s))`);
    check(arrivals.every((a) => a.signature === createHmac('sha1', platform.signature_key).update('/hook' + a.body).digest('base64')),
          'each webhook is signed over its path and body');
    check(JSON.stringify(arrivals.map((a) => JSON.parse(a.body).type)) === JSON.stringify(['PAY_START', 'ASSIGN_FAILED']),
          'the events came in order');
    const counts = [];
    for (let i = 0; i < 3; i += 1) {
      counts.push((await (await fetch(`${base}/__admin/webhooks?payment_id=${payment.payment_id}&status=delivered`,
                                      { headers: admin })).json()).count);
    }
    check(counts.every((c) => c === 2), `every replica lists both as delivered (${counts.join(', ')})`);
  } finally {
    receiver.close();
  }
}

try {
  await main();
} catch (e) {
  console.error(e);
  failures += 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  rmSync(work, { recursive: true, force: true });
}
if (failures > 0) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all checks passed');
