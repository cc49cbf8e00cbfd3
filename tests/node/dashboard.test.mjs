// The dashboard (GET /__admin/ui) in a real browser: headless Chromium
// (Debian's package) driven by playwright-core, against authsim processes
// this test starts on loopback, one without and one with --admin-token,
// and a webhook receiver on loopback that checks each call itself.
//
//   node tests/node/dashboard.test.mjs AUTHSIM_BINARY
//
// Checked: a refused identify appears in the live list within a second of
// its answer; its detail shows the signed string, algorithm, received and
// expected signature (the expected one computed here independently); the
// paste box marks the first differing character for a string signed with
// /dg kept and for a re-serialised body, with the matching hint; a hostile
// `trace` is shown as text and runs nothing; rows open and close from the
// keyboard; a reset by another client followed by as many requests as
// before; a webhook that failed once shows both attempts once the page's
// clock button makes the retry due, and the redeliver button adds a third;
// a code shown in State expires when the page's "+1 min" is pressed five times; the
// scenario and verification controls change the server; the page reads
// Chinese; it fits a phone's width; and with --admin-token the page asks
// for the token, refuses a wrong one, keeps the right one for the tab only
// and never puts it in a URL. Any page error or resource refused (the
// Content-Security-Policy included) fails the test.

import { launchChromium } from './chromium.mjs';
import { adminCall, identify, identifyBody, platform, redeemedCode, sign, startAuthsim, startReceiver } from './sandbox.mjs';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node dashboard.test.mjs AUTHSIM_BINARY');
  process.exit(2);
}

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}`);
  if (!ok) failures += 1;
}

// Records what would make the page misbehave: script errors, refused
// resources, console errors (CSP reports among them).
function watch(page, problems, allowed = /^$/) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !allowed.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    // A long poll cut short by a reload or close is not a failure.
    if (!/\/__admin\/(requests\/wait|changes)/.test(r.url())) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
}

const open = await startAuthsim(binary);
const adminToken = `dash-${Date.now().toString(36)}-secret`;
const locked = await startAuthsim(binary, ['--admin-token', adminToken]);
const receiver = await startReceiver([500]);
const browser = await launchChromium();
const problems = [];

try {
  const base = open.base;
  await adminCall(base, 'PUT', `/__admin/platforms/${platform.plat_id}/endpoints`, { webhook_url: receiver.url });

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page.setDefaultTimeout(15_000);
  watch(page, problems);
  const opened = await page.goto(`${base}/__admin/ui`);
  check(opened.status() === 200, 'GET /__admin/ui answers 200');
  const csp = opened.headers()['content-security-policy'] || '';
  check(/script-src 'nonce-[0-9a-f]{32}'/.test(csp) && csp.includes("default-src 'none'") && !csp.includes('unsafe'),
    `a strict Content-Security-Policy with a nonce (${csp.slice(0, 60)}…)`);
  await page.locator('#requests-live:not(.down)').waitFor();
  await page.locator('#requests-count').filter({ hasText: /^Showing/ }).waitFor();

  // --- a refused request, live -------------------------------------------
  const hostile = `<img src=x onerror="window.__pwned=1">"'&<script>window.__pwned=2</script>`;
  const body = identifyBody();
  const signedWithDg = '/dg/v1/platform/identify/auth' + body;
  const refused = await identify(base, { body, signature: sign(signedWithDg), trace: hostile });
  const answeredAt = Date.now();
  check(refused.status === 401 && refused.answer.code === 40105, `identify signed with /dg kept is refused 40105 (${refused.answer.code})`);
  const row = page.locator('#requests tbody tr[data-outcome="rejected"]').first();
  let seenWithin = Infinity;
  try {
    await row.waitFor({ timeout: 1000 });
    seenWithin = Date.now() - answeredAt;
  } catch (e) { /* reported below */ }
  check(seenWithin <= 1000, `the refused request is listed within a second of its answer (${seenWithin} ms)`);
  const cells = await row.locator('td').allTextContents();
  check(cells[1] === 'POST' && cells[2] === '/dg/v1/platform/identify/auth' && cells[3] === '401' && cells[4] === '40105' &&
        cells[5].includes('signature_mismatch'), `its row shows method, path, status, code and check (${cells.join(' | ')})`);

  // --- its detail and the paste box ----------------------------------------
  await row.click();
  await page.locator('#signature').waitFor();
  const signedString = await page.locator('#signed-string').textContent();
  check(signedString === '/v1/platform/identify/auth' + body, 'the detail shows the string authsim signed (path without /dg + body)');
  check((await page.locator('#sig-expected').textContent()) === sign('/v1/platform/identify/auth' + body),
    'the expected signature is the one computed here');
  check((await page.locator('#sig-received').textContent()) === sign(signedWithDg), 'the received signature is the one sent');
  check((await page.locator('#signature').textContent()).includes('HMAC-SHA1'), 'the algorithm is named');

  await page.fill('#paste', signedWithDg);
  const verdict = page.locator('.compare-result .verdict');
  await verdict.waitFor();
  check((await verdict.getAttribute('data-index')) === '1', `the first difference is at character 1 (${await verdict.getAttribute('data-index')})`);
  check((await page.locator('.compare-result pre.ours mark').textContent()) === 'v' &&
        (await page.locator('.compare-result pre.yours mark').textContent()) === 'd', 'the marked characters are v (authsim) and d (yours)');
  check(await page.locator('.compare-result li[data-hint="dg"]').isVisible(), 'the hint says the /dg prefix was kept');

  const reserialised = '/v1/platform/identify/auth' + JSON.stringify(JSON.parse(body), null, 1);
  let firstDiff = 0;
  while (reserialised[firstDiff] === signedString[firstDiff]) firstDiff += 1;
  await page.fill('#paste', reserialised);
  await page.locator(`.compare-result .verdict[data-index="${firstDiff}"]`).waitFor();
  check(await page.locator('.compare-result li[data-hint="reserialised"]').isVisible(), `a re-serialised body is marked at ${firstDiff} and named`);
  await page.fill('#paste', signedString);
  await page.locator('.compare-result .verdict.same').waitFor();
  check(await page.locator('.compare-result li[data-hint="same"]').isVisible(), 'the same string points at the key');

  // --- escaping -----------------------------------------------------------
  const detailText = await page.locator('#detail-body').textContent();
  check(detailText.includes(hostile), 'the hostile trace is shown as text');
  check((await page.locator('#detail-body img, #detail-body script').count()) === 0, 'it made no element');
  check((await page.evaluate(() => window.__pwned)) === undefined, 'it ran nothing');
  await page.fill('#filter-text', 'onerror=');
  check((await page.locator('#requests tbody tr').count()) === 1, 'the text filter finds it');
  await page.fill('#filter-text', '');

  // --- keyboard -----------------------------------------------------------
  await page.keyboard.press('Escape');
  await page.locator('#detail').waitFor({ state: 'hidden' });
  await page.locator('#requests tbody tr').first().focus();
  await page.keyboard.press('Enter');
  await page.locator('#detail').waitFor();
  check(await page.locator('#signature').isVisible(), 'Enter on a focused row opens it, Escape closes it');
  await page.keyboard.press('Escape');

  // --- outbound: a webhook retried after a failure --------------------------
  const code = await redeemedCode(base);
  const payment = await adminCall(base, 'POST', '/__admin/payments', { ident_code: code, outcome: 'assign_failed', amount: '3.20' });
  await adminCall(base, 'GET', `/__admin/webhooks/wait?payment_id=${payment.payment_id}&type=PAY_START&status=retrying&timeout_ms=10000`);
  await page.click('#tab-outbound');
  const group = page.locator(`#outbound-groups section.group[data-subject="${payment.payment_id}"]`);
  const start = group.locator('.event[data-type="PAY_START"]');
  await start.locator('li.attempt').first().waitFor();
  check((await start.locator('li.attempt .result').allTextContents()).join() === 'HTTP 500', 'PAY_START shows its failed attempt');
  await page.click('button.advance[data-advance-ms="3600000"]');
  await start.locator('li.attempt').nth(1).waitFor();
  const results = await start.locator('li.attempt .result').allTextContents();
  check(results.join() === 'HTTP 500,HTTP 200', `after +1 h the retry shows beside the failure (${results.join(', ')})`);
  await group.locator('.event[data-type="ASSIGN_FAILED"][data-status="delivered"]').waitFor();
  const starts = receiver.calls.filter((c) => c.json?.type === 'PAY_START');
  check(starts.length === 2 && starts.every((c) => c.signatureOk) && starts.map((c) => c.json.retry).join() === '0,1',
    `the receiver got PAY_START twice, signed, retry 0 then 1 (${starts.map((c) => c.json?.retry).join()})`);
  await start.locator('button.redeliver').click();
  await start.locator('li.attempt').nth(2).waitFor();
  check(receiver.calls.filter((c) => c.json?.type === 'PAY_START').length === 3, 'Redeliver sent it a third time');

  // --- state: a code expires when the clock moves ----------------------------
  const fresh = await identify(base);
  const freshCode = fresh.answer.data.ident_code;
  await page.click('#tab-state');
  const codeRow = page.locator(`#state-codes tr[data-code="${freshCode}"] td.state-status`);
  await page.locator(`#state-codes tr[data-code="${freshCode}"] td.state-status[data-status="issued"]`).waitFor();
  check(true, 'State lists the new code as issued');
  // A code lives 300 s and is kept 10 minutes past its expiry: five
  // presses of "+1 min" expire it and leave it listed.
  for (let i = 0; i < 5; i += 1) {
    await page.click('button.advance[data-advance-ms="60000"]');
  }
  await page.locator(`#state-codes tr[data-code="${freshCode}"] td.state-status[data-status="expired"]`).waitFor();
  const stored = await adminCall(base, 'GET', '/__admin/state');
  check(stored.codes.items.find((c) => c.ident_code === freshCode)?.status === 'expired' && (await codeRow.textContent()) === 'expired',
    'after 5 × "+1 min" from the page the code shows expired, as the server says');
  check((await page.locator('#state-payments tr[data-payment]').count()) >= 1, 'State lists the payment');
  await page.click('#clock-real');
  await page.locator('#clock-mode[data-mode="real"]').waitFor();
  check((await adminCall(base, 'GET', '/__admin/clock')).mode === 'real', '"Real time" puts the server clock back');

  // --- controls -------------------------------------------------------------
  await page.click('#tab-controls');
  const modeSelect = page.locator(`#platforms select[data-plat-id="${platform.plat_id}"]`);
  await modeSelect.waitFor();
  await modeSelect.selectOption('log-only');
  await page.locator('#banner').filter({ hasText: 'log-only' }).waitFor();
  check((await adminCall(base, 'GET', `/__admin/platforms/${platform.plat_id}/verification`)).mode === 'log-only',
    'the verification control sets the mode');
  await modeSelect.selectOption('enforce');
  await page.locator('#banner').filter({ hasText: 'enforce' }).waitFor();
  const scenarios = await adminCall(base, 'GET', '/__admin/scenarios');
  const someScenario = scenarios.scenarios[0].name;
  await page.locator('#scenario').selectOption(someScenario);
  await page.locator('#banner').filter({ hasText: someScenario }).waitFor();
  check((await adminCall(base, 'GET', '/__admin/scenarios')).active === someScenario, `the scenario control selects ${someScenario}`);
  await page.locator('#scenario').selectOption('');
  await page.locator('#banner').filter({ hasText: '(none)' }).waitFor();
  await page.click('#reset');
  await page.click('#reset');
  await page.locator('#banner').filter({ hasText: 'Reset:' }).waitFor();
  await page.click('#tab-requests');
  await page.locator('#requests-empty').filter({ hasText: 'No requests yet' }).waitFor();
  check((await adminCall(base, 'GET', '/__admin/requests')).total === 0, 'Reset (pressed twice) empties the journal, and the list follows');

  // A reset by another client followed by as many requests as before leaves
  // the journal's count unchanged: the list still follows.
  await identify(base, { signature: 'bad', trace: 'before-reset-1' });
  await identify(base, { signature: 'bad', trace: 'before-reset-2' });
  await page.locator('#requests tbody tr').nth(1).waitFor();
  await adminCall(base, 'POST', '/__admin/reset');
  await identify(base, { signature: 'bad', trace: 'after-reset-1' });
  await identify(base, { signature: 'bad', trace: 'after-reset-2' });
  await page.fill('#filter-text', 'after-reset-2');
  await page.locator('#requests tbody tr').first().waitFor();
  await page.fill('#filter-text', 'before-reset');
  await page.locator('#requests-empty').filter({ hasText: 'No request matches' }).waitFor();
  check(true, 'after a reset and as many requests as before, the list shows the new ones only');
  await page.fill('#filter-text', '');

  // --- Chinese, and a phone's width -------------------------------------------
  await page.click('#lang-switch button[data-lang="zh"]');
  check((await page.locator('#tab-requests').textContent()) === '请求' && (await page.evaluate(() => document.documentElement.lang)) === 'zh-CN',
    'the switch shows the page in Chinese');
  const zhPage = await browser.newPage({ locale: 'zh-CN' });
  watch(zhPage, problems);
  await zhPage.goto(`${base}/__admin/ui`);
  check((await zhPage.locator('#tab-state').textContent()) === '状态', 'a Chinese browser gets the Chinese page');
  await zhPage.close();
  await page.click('#lang-switch button[data-lang="en"]');
  await page.setViewportSize({ width: 390, height: 844 });
  await identify(base, { signature: 'bad' });
  await page.locator('#requests tbody tr').first().click();
  await page.locator('#signature').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `at 390 px nothing runs off the side (${overflow} px)`);

  // --- the admin token ------------------------------------------------------
  const context = await browser.newContext();
  const guarded = await context.newPage();
  const lockedProblems = [];
  // The first calls are refused 401 until the token is given: expected.
  watch(guarded, lockedProblems, /status of 401/);
  const urls = [];
  guarded.on('request', (r) => urls.push(r.url()));
  await guarded.goto(`${locked.base}/__admin/ui`);
  await guarded.locator('#token-dialog[open]').waitFor();
  check(true, 'with --admin-token the page asks for the token');
  await guarded.fill('#token-input', 'wrong-token');
  await guarded.click('#token-submit');
  await guarded.locator('#token-error').filter({ hasText: /refused/ }).waitFor();
  check(await guarded.locator('#token-dialog[open]').isVisible(), 'a wrong token is refused and the prompt stays');
  await guarded.fill('#token-input', adminToken);
  await guarded.click('#token-submit');
  await guarded.locator('#token-dialog').waitFor({ state: 'hidden' });
  await guarded.locator('#requests-live:not(.down)').waitFor();
  await identify(locked.base, { signature: 'bad' });
  await guarded.locator('#requests tbody tr[data-outcome="rejected"]').first().waitFor();
  check(true, 'with the token the page lists requests');
  check((await guarded.evaluate(() => sessionStorage.getItem('authsim.adminToken'))) === adminToken &&
        (await guarded.evaluate(() => localStorage.getItem('authsim.adminToken'))) === null, 'the token is kept in sessionStorage only');
  await guarded.reload();
  await guarded.locator('#requests-live:not(.down)').waitFor();
  check(!(await guarded.locator('#token-dialog[open]').isVisible()), 'a reload in the same tab does not ask again');
  check(urls.every((u) => !u.includes(adminToken)), 'the token is never in a URL');
  const other = await context.newPage();
  watch(other, lockedProblems, /status of 401/);
  await other.goto(`${locked.base}/__admin/ui`);
  await other.locator('#token-dialog[open]').waitFor();
  check(true, 'another tab asks again');
  await context.close();
  problems.push(...lockedProblems);

  check(problems.length === 0, `no page error, refused resource or console error${problems.length ? `:\n  ${problems.join('\n  ')}` : ''}`);
} catch (e) {
  console.error(`dashboard test FAILED: ${e.stack || e.message}`);
  failures += 1;
} finally {
  await browser.close();
  await receiver.close();
  const codes = [await open.stop(), await locked.stop()];
  check(codes.every((c) => c === 0), `both servers stopped cleanly (${codes.join(', ')})`);
}
if (failures) {
  console.error(`dashboard: ${failures} check(s) failed`);
  process.exit(1);
}
console.log('dashboard: ok');
