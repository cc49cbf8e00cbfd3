// Screenshots of the dashboard for README, made from the real page: starts
// authsim and a webhook receiver on loopback, makes the traffic a partner
// would (a signature mistake, a payment whose first webhook fails, a UOCS
// waybill with pushes), and photographs each view in headless Chromium.
//
//   node tests/node/screenshots.mjs AUTHSIM_BINARY OUT_DIR
//
// scripts/screenshots.sh runs it with the project's build and docs/.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { launchChromium } from './chromium.mjs';
import { adminCall, identify, identifyBody, redeemedCode, platform, sign, startAuthsim, startReceiver } from './sandbox.mjs';

const [binary, outDir] = process.argv.slice(2);
if (!binary || !outDir) {
  console.error('usage: node screenshots.mjs AUTHSIM_BINARY OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const server = await startAuthsim(binary);
const receiver = await startReceiver([500]);
const browser = await launchChromium();
const base = server.base;
try {
  await adminCall(base, 'PUT', `/__admin/platforms/${platform.plat_id}/endpoints`, { webhook_url: receiver.url });
  await adminCall(base, 'PUT', '/__admin/apps/IE-UOCS-OUT/endpoints', { callback_url: receiver.url.replace('/webhook', '/uocs/push') });

  // Traffic: a good code, a redeemed one with a payment, a UOCS login and
  // waybill, and last a signature made with /dg kept.
  await identify(base);
  const code = await redeemedCode(base);
  const payment = await adminCall(base, 'POST', '/__admin/payments', { ident_code: code, outcome: 'paid', amount: '88.00', pay_after_ms: 5000 });
  await adminCall(base, 'GET', `/__admin/webhooks/wait?payment_id=${payment.payment_id}&type=PAY_START&status=retrying&timeout_ms=10000`);
  const login = await (await fetch(`${base}/apis-auth/login/auth`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ appKey: 'IE-UOCS-OUT', appSecret: 'fykj12345678', deviceId: '00:FF:16:4B:63:57', hostName: 'SF0001304522C', ip: '192.168.255.10', userId: 'fc0001', password: '8bb2423a0e1c4d0a' }),
  })).json();
  await fetch(`${base}/uocs-tes/waybill/api/createWaybill`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', token: login.obj.token },
    body: JSON.stringify({ devCode: 'tc123456', pushTime: '2024-10-08 14:07:11', useCab: 1, bizCode: 'order-1001', senderCode: 'CN001', receiverCode: 'CN0023', gpsType: 1, senderLon: '114.1234567', senderLat: '26.1234567', senderAddr: '深圳市', senderTel: '13699847593', senderName: 'jacky', goodsType: 1, goodsWeight: 2000, receiverLon: '114.1234567', receiverLat: '26.1234567', receiverAddr: '深圳市', receiverTel: '13699847593', receiverName: 'jacky', amount: 20.5, remark: null }),
  });
  // Ten minutes on: the webhook retry, the payment and the waybill's steps.
  await adminCall(base, 'PUT', '/__admin/clock', { advance_ms: 600_000 });
  await adminCall(base, 'GET', `/__admin/webhooks/wait?payment_id=${payment.payment_id}&count=6&timeout_ms=10000`);
  await identify(base);
  const body = identifyBody();
  await identify(base, { body, signature: sign('/dg/v1/platform/identify/auth' + body), trace: 'checkout-7f3a' });

  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'en-US', deviceScaleFactor: 1 });
  page.setDefaultTimeout(15_000);
  await page.goto(`${base}/__admin/ui`);
  const refused = page.locator('#requests tbody tr[data-outcome="rejected"]').first();
  await refused.click();
  await page.locator('#signature').waitFor();
  await page.fill('#paste', '/dg/v1/platform/identify/auth' + body);
  await page.locator('.compare-result .verdict').waitFor();
  // The detail scrolls on its own: show its signature part, the page's top.
  await page.evaluate(() => {
    const detail = document.getElementById('detail');
    detail.scrollTop = detail.querySelector('#signature h4').offsetTop - detail.offsetTop - 8;
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: join(outDir, 'dashboard-requests.png') });

  await page.click('#tab-outbound');
  await page.locator(`section.group[data-subject="${payment.payment_id}"] li.attempt`).nth(1).waitFor();
  await page.screenshot({ path: join(outDir, 'dashboard-outbound.png') });

  await page.click('#tab-state');
  await page.locator('#state-waybills tr[data-waybill]').first().waitFor();
  await page.screenshot({ path: join(outDir, 'dashboard-state.png') });

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', deviceScaleFactor: 1 });
  await phone.goto(`${base}/__admin/ui`);
  await phone.locator('#requests tbody tr').first().waitFor();
  await phone.screenshot({ path: join(outDir, 'dashboard-phone-zh.png') });
  console.log(`screenshots: written to ${outDir}`);
} finally {
  await browser.close();
  await receiver.close();
  await server.stop();
}
