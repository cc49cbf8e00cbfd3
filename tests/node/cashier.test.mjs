// The cashier page in a real browser: headless Chromium (Debian's package),
// driven by playwright-core, clicks through the upstream's flow.
//
//   node tests/node/cashier.test.mjs http://127.0.0.1:PORT
//
// It asks authsim for a code (signed as the demo platform signs), opens the
// code's url as a user's browser would, checks that the page names the
// platform and says the code is valid, presses the login button and waits
// for the open token and the cards of the cashier data (fetch_data), then
// presses a payment button and finds the payment in the admin API, then
// checks that a second press is refused, that a reload shows the code as
// used, and that a code without credit data says why it has no cards. Any page error or refused resource (the
// page's Content-Security-Policy included) fails the test.
//
// The browser: see chromium.mjs.

import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './chromium.mjs';

const base = process.argv[2] || process.env.AUTHSIM_URL;
if (!base) {
  console.error('usage: node cashier.test.mjs BASE_URL');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const fixtures = JSON.parse(readFileSync(join(here, '..', '..', 'fixtures', 'creditpay.json'), 'utf8'));
const platform = fixtures.platforms[0];

function fail(message) {
  throw new Error(message);
}

// A code for a new user; `credit` adds credit data to the identify body.
async function issueCode(credit = undefined) {
  const nonce = randomBytes(6).toString('hex');
  const body = JSON.stringify({
    custom_no: `browser-${nonce}`,
    customer_token: `tok-${nonce}`,
    token_expire: Date.now() + 3600_000,
    callback_url: 'https://partner.example/callback',
    client_ip: '127.0.0.1',
    ...credit,
  });
  const signature = createHmac('sha1', platform.signature_key)
    .update('/v1/platform/identify/auth' + body)
    .digest('base64');
  const res = await fetch(`${base}/dg/v1/platform/identify/auth?platId=${platform.plat_id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', trace: `browser-${nonce}`, 'api-key': platform.api_key, signature },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const answer = await res.json();
  if (res.status !== 200 || answer.code !== 0) fail(`identify: expected code 0, got HTTP ${res.status} ${JSON.stringify(answer)}`);
  return { code: answer.data.ident_code, url: answer.data.url, customNo: `browser-${nonce}` };
}

const browser = await launchChromium();

const problems = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Answers with an error status are expected here (a second login, a
  // page without a code) and Chromium reports each as a console error; any
  // other console error (a CSP refusal, a script error) is a problem.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of (400|500)/.test(m.text())) {
      problems.push(`console error: ${m.text()}`);
    }
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));

  // The icons point at authsim itself: the machine has no other network.
  const credit = {
    credit_limit_tag: 'card-b',
    credit_limit_available_cards: [
      { tag: 'card-a', amount: '5.00', currency: 'CNY', icon: `${base}/dg/oauth?ident_code=icon-a`, input: '<i>spare card</i>' },
      {
        tag: 'card-b',
        amount: '10001.23',
        currency: 'CNY',
        icon: `${base}/dg/oauth?ident_code=icon-b`,
        input: '<div>limit <b class="limit">28000.00</b> HKD<script>document.title = "ran"</script></div>',
      },
    ],
  };
  const { code, url, customNo } = await issueCode(credit);
  if (!url.startsWith(base)) fail(`the code's url ${url} does not point at ${base}`);
  const opened = await page.goto(url);
  if (opened.status() !== 200) fail(`cashier page: expected 200, got ${opened.status()}`);

  const shown = (id) => page.locator(`#${id}`).textContent();
  if ((await shown('ident-code')) !== code) fail('the page does not show the code');
  const platformText = await shown('platform');
  if (!platformText.includes(platform.plat_id)) fail(`the page does not name the platform: ${platformText}`);
  if ((await shown('custom-no')) !== customNo) fail('the page does not show custom_no');
  if ((await page.locator('#state').getAttribute('data-state')) !== 'issued') fail('a fresh code is not shown as valid');

  await page.click('#login');
  await page.locator('#open-token').filter({ hasText: /^Bearer / }).waitFor();
  const token = await shown('open-token');
  const parts = token.slice('Bearer '.length).split('.');
  if (parts.length !== 3) fail(`the open token is not a JWT: ${token}`);
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (claims.identCode !== code) fail(`the token's identCode is ${claims.identCode}, expected ${code}`);
  if ((await page.locator('#state').getAttribute('data-state')) !== 'redeemed') fail('the state did not change to used');
  console.log(`cashier: logged in with ${code}, open token ${token.slice(0, 24)}...`);

  // The cards of the identify request, from fetch_data, the chosen one marked.
  await page.locator('#cards .card').nth(1).waitFor();
  const cards = page.locator('#cards .card');
  if ((await cards.count()) !== 2) fail(`expected 2 cards, got ${await cards.count()}`);
  const chosen = page.locator('#cards .card.chosen');
  if ((await chosen.count()) !== 1 || (await chosen.getAttribute('data-tag')) !== 'card-b') fail('card-b is not the chosen card');
  if ((await chosen.locator('.amount').textContent()) !== '10001.23 CNY') fail('the chosen card does not show its amount');
  // The platform's HTML is rendered, its script is not run.
  if ((await chosen.locator('.card-input b.limit').textContent()) !== '28000.00') fail("the card's input HTML is not shown");
  if ((await page.title()) === 'ran') fail("a script in a card's input ran");
  console.log('cashier: the cards are shown, card-b chosen');

  // The payment buttons: "unpaid" starts a payment whose planned events the
  // page lists; the admin API has the same payment.
  if (!(await page.locator('#pay').isVisible())) fail('the payment buttons are not shown after a login');
  await page.fill('#amount', '7.50');
  await page.click('button.pay[data-outcome="unpaid"]');
  await page.locator('#payment-title').filter({ hasText: /^Payment pay_/ }).waitFor();
  const paymentId = await page.locator('#payment-title').getAttribute('data-payment-id');
  const planned = await page.locator('#payment-events li.event').evaluateAll((items) => items.map((i) => i.dataset.type));
  if (planned[0] !== 'PAY_START' || planned.at(-1) !== 'PAY_TIMEOUT') fail(`unexpected planned events: ${planned}`);
  const stored = await (await fetch(`${base}/__admin/payments/${paymentId}`)).json();
  if (stored.amount !== '7.50' || stored.outcome !== 'unpaid' || stored.ident_code !== code) {
    fail(`the admin API does not hold the page's payment: ${JSON.stringify(stored).slice(0, 300)}`);
  }
  // A bad amount is refused, and the page says why.
  await page.fill('#amount', 'lots');
  await page.click('button.pay[data-outcome="paid"]');
  await page.locator('#payment-title').filter({ hasText: /^Refused \(HTTP 400\): amount must be/ }).waitFor();
  console.log(`cashier: payment ${paymentId} started from the page (${planned.length} events planned)`);

  // The code works once: a second press shows the upstream's refusal.
  await page.click('#login');
  await page.locator('#outcome-title').filter({ hasText: /^Refused/ }).waitFor();
  if (!(await page.locator('#token-row').isHidden())) fail('a refused login still shows a token');
  console.log(`cashier: second login refused: ${await shown('outcome-title')}`);

  await page.reload();
  if ((await page.locator('#state').getAttribute('data-state')) !== 'redeemed') fail('after a reload the code is not shown as used');

  // A code without credit data, on a platform without a credit-limit
  // endpoint: the page says why there are no cards.
  const plain = await issueCode();
  await page.goto(plain.url);
  await page.click('#login');
  await page.locator('#cards-error').filter({ hasText: /has no credit-limit endpoint/ }).waitFor();
  if ((await page.locator('#cards .card').count()) !== 0) fail('cards shown without credit data');
  console.log(`cashier: no cards: ${await shown('cards-error')}`);

  // Without a code the page explains itself.
  const bare = await page.goto(`${base}/dg/oauth`);
  if (bare.status() !== 400) fail(`cashier page without a code: expected 400, got ${bare.status()}`);
  if (!(await shown('error')).includes('ident_code')) fail('the page without a code does not say what is missing');

  if (problems.length > 0) fail(problems.join('\n'));
  console.log('cashier: ok');
} catch (e) {
  console.error(`cashier test FAILED: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
