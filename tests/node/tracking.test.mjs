// The UOCS tracking page (H5) in a real browser: headless Chromium driven by
// playwright-core.
//
//   node tests/node/tracking.test.mjs http://127.0.0.1:PORT
//
// It logs in as the demo UOCS app, creates a waybill (the upstream's example
// with a bizCode holding markup, which must show as text), asks for its
// tracking url, opens it and checks the status and timeline; moves the
// waybill on through the admin API and reloads (the page follows); makes it
// an exception and checks the reason; and opens the page of an unknown
// waybill. Any page error or refused resource (the page's
// Content-Security-Policy included) fails the test.

import { randomBytes } from 'node:crypto';

import { launchChromium } from './chromium.mjs';

const base = process.argv[2] || process.env.AUTHSIM_URL;
if (!base) {
  console.error('usage: node tracking.test.mjs BASE_URL');
  process.exit(2);
}

function fail(message) {
  throw new Error(message);
}

async function post(path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, json: await res.json() };
}

async function uocs(path, body, token) {
  const { status, json } = await post(path, body, { token });
  if (status !== 200 || json.success !== true) fail(`${path}: expected success, got HTTP ${status} ${JSON.stringify(json)}`);
  return json.obj;
}

const login = await post('/apis-auth/login/auth', {
  appKey: 'IE-UOCS-OUT', appSecret: 'fykj12345678', deviceId: '00:FF:16:4B:63:57', hostName: 'SF0001304522C',
  ip: '192.168.255.10', userId: 'fc0001', password: '8bb2423a0e1c4d0a',
});
const token = login.json.obj.token;
const bizCode = `<b id="injected">biz</b>-${randomBytes(4).toString('hex')}`;
const { fyCode } = await uocs('/uocs-tes/waybill/api/createWaybill', {
  devCode: 'tc123456', pushTime: '2024-10-08 14:07:11', useCab: 1, bizCode,
  senderCode: 'CN001', receiverCode: 'CN0023', gpsType: 1, senderLon: '114.1234567', senderLat: '26.1234567',
  senderAddr: '深圳市', senderTel: '13699847593', senderName: 'jacky', goodsType: 1, goodsWeight: 2000,
  receiverLon: '114.1234567', receiverLat: '26.1234567', receiverAddr: '深圳市', receiverTel: '13699847593',
  receiverName: 'jacky', amount: 20.5, remark: null,
}, token);
const { url } = await uocs('/uocs-tes/waybill/api/orderH5View', { devCode: 'tc123456', fyCode }, token);
if (!url.startsWith(base)) fail(`the tracking url ${url} does not point at ${base}`);

const browser = await launchChromium();
const problems = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // The unknown waybill's page answers 404, which Chromium reports.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));

  const status = async () => page.locator('#status').getAttribute('data-status');
  const opened = await page.goto(url);
  if (opened.status() !== 200) fail(`tracking page: expected 200, got ${opened.status()}`);
  if ((await status()) !== '0') fail(`a new waybill shows status ${await status()}, expected 0`);
  if (!(await page.locator('h1').textContent()).includes(fyCode)) fail('the page does not name the waybill');
  if ((await page.locator('#biz-code').textContent()) !== bizCode) fail('the bizCode is not shown as written');
  if ((await page.locator('#injected').count()) !== 0) fail('markup in bizCode became part of the page');
  if ((await page.locator('#timeline li.next').count()) !== 4) fail('the four steps to come are not shown');
  console.log(`tracking: ${fyCode} awaiting pickup, ${await page.locator('#from').textContent()} -> ${await page.locator('#to').textContent()}`);

  // On to take-off: the page follows.
  const advance = (body) => fetch(`${base}/__admin/waybills/${fyCode}/advance`, { method: 'POST', body, signal: AbortSignal.timeout(10_000) });
  if ((await advance(JSON.stringify({ status: 2 }))).status !== 200) fail('the admin API did not move the waybill');
  await page.reload();
  if ((await status()) !== '2') fail(`after the move the page shows ${await status()}, expected 2`);
  if ((await page.locator('#timeline li.done').count()) !== 2) fail('the steps done are not marked');
  if ((await page.locator('#timeline li.now').getAttribute('data-status')) !== '2') fail('the current step is not marked');
  if ((await page.locator('#uav').count()) !== 1) fail('the drone is not shown once picked up');

  // An exception in flight, with its reason.
  await advance(JSON.stringify({ status: 5, reason: 'no-fly zone <i>now</i>' }));
  await page.reload();
  if ((await status()) !== '5') fail('the exception is not shown');
  if ((await page.locator('#exception').textContent()) !== 'no-fly zone <i>now</i>') fail('the reason is not shown as written');
  if ((await page.locator('#timeline li.bad').count()) !== 1) fail('the timeline does not end in the exception');
  console.log(`tracking: exception shown: ${await page.locator('#exception').textContent()}`);

  const unknown = await page.goto(`${base}/uocs-h5/waybill/FY-NOPE`);
  if (unknown.status() !== 404) fail(`unknown waybill: expected 404, got ${unknown.status()}`);
  if (!(await page.locator('#unknown').textContent()).includes('FY-NOPE')) fail('the unknown page does not name the fyCode');

  if (problems.length > 0) fail(problems.join('\n'));
  console.log('tracking: ok');
} catch (e) {
  console.error(`tracking test FAILED: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
