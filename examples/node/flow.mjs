#!/usr/bin/env node
// authsim client example for Node.js 20 or later, built-ins only (global
// fetch and node:crypto); nothing to install.
//
// Walks the whole flow against a running authsim and prints one line per step:
//   1. Credit Pay: ask for a one-time code for the demo platform (signed request)
//   2. Credit Pay: redeem the code for an open token
//   3. UOCS: log in with the demo account
//   4. UOCS: check drone capacity with that token (the upstream's example)
//   5. UOCS: create a waybill (the upstream's example, a fresh bizCode)
//   6. UOCS: read the waybill's details
// Any unexpected answer is reported on stderr (what was expected, the status
// and the body) and the script exits non-zero.
//
// Run:   node examples/node/flow.mjs [BASE_URL]
// BASE_URL defaults to $AUTHSIM_URL, else http://127.0.0.1:8080.
// AUTHSIM_PLAT_ID, AUTHSIM_API_KEY and AUTHSIM_SIGNATURE_KEY replace the demo
// platform's credentials.

import { createHmac, randomBytes } from 'node:crypto';

// The environment variable's value, or the default when it is unset or empty.
const envOr = (name, fallback) => process.env[name] || fallback;

// The demo platform of the fixtures shipped with authsim (fixtures/creditpay.json).
const PLAT_ID = envOr('AUTHSIM_PLAT_ID', '328cf95950f54f89a2dd4c3bf98ac5fb');
const API_KEY = envOr('AUTHSIM_API_KEY', 'kHm2nk3dgrBhn10v494XqwpPOV7gn1Uu0rUVMuxpxAowvNfXEs5UzZueUdq7vgNc');
const SIGNATURE_KEY = envOr(
  'AUTHSIM_SIGNATURE_KEY',
  '18dd8a3c8003d2adcd13cb9981618bedd759a19f697a46d270542c6023479a08' +
    'f541a5fa7f2e09a6f93cab7fe5de3b1b465abxxx',
);

// The demo UOCS account of the shipped fixtures (fixtures/uocs.json).
const UOCS_LOGIN = {
  appKey: 'IE-UOCS-OUT',
  appSecret: 'fykj12345678',
  deviceId: '00:FF:16:4B:63:57',
  hostName: 'SF0001304522C',
  ip: '192.168.255.10',
  userId: 'fc0001',
  password: '8bb2423a0e1c4d0a',
};

// The upstream's examples of a capacity check and of a new waybill.
const CAPACITY_EXAMPLE = {
  devCode: 'tc123456', gpsType: 1, senderLon: '113.9311883', senderLat: '22.5616979',
  goodsType: 1, goodsWeight: 8000, receiverLon: '114.0267861', receiverLat: '22.5353805',
};
const CREATE_EXAMPLE = {
  devCode: 'tc123456', pushTime: '2024-10-08 14:07:11', useCab: 1, bizCode: 'tc123456899',
  senderCode: 'CN001', receiverCode: 'CN0023', gpsType: 1, senderLon: '114.1234567', senderLat: '26.1234567',
  senderAddr: '深圳市', senderTel: '13699847593', senderName: 'jacky', goodsType: 1, goodsWeight: 2000,
  receiverLon: '114.1234567', receiverLat: '26.1234567', receiverAddr: '深圳市', receiverTel: '13699847593',
  receiverName: 'jacky', amount: 20.5, remark: null,
};

// The path that is signed: no /dg gateway prefix, no query string.
const SIGNED_PATH = '/v1/platform/identify/auth';
const TIMEOUT_MS = 10000;

class FlowError extends Error {}

const hex = (bytes) => randomBytes(bytes).toString('hex');

// POSTs the body bytes as given; returns { status, text }.
async function post(url, body, headers) {
  let answer;
  try {
    answer = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { status: answer.status, text: await answer.text() };
  } catch (error) {
    const reason = error.cause?.message ?? error.message;
    throw new FlowError(`FAILED: no answer from ${url} (is authsim running there?): ${reason}`);
  }
}

// Parses the JSON answer and returns it if check(answer) holds; else fails.
function expect(step, expected, { status, text }, check) {
  let answer = null;
  try {
    answer = JSON.parse(text);
  } catch {
    // reported below with the raw text
  }
  const isObject = answer !== null && typeof answer === 'object' && !Array.isArray(answer);
  if (status !== 200 || !isObject || !check(answer)) {
    throw new FlowError(
      `FAILED at ${step}\n  expected: ${expected}\n  got:      HTTP ${status}\n  body:     ${text}`,
    );
  }
  return answer;
}

async function flow(baseUrl) {
  // --- 1. one-time code -------------------------------------------------------
  const tokenExpire = Date.now() + 3600 * 1000; // one hour from now, 13 digits
  const customNo = `example-node-${hex(6)}`;
  const fields = {
    custom_no: customNo,
    customer_token: `example-token-${hex(16)}`,
    token_expire: tokenExpire,
    callback_url: 'https://partner.example.com/payment/callback',
    client_ip: '192.0.2.10',
  };
  // Serialise once; these exact bytes are signed and sent.
  const body = Buffer.from(JSON.stringify(fields), 'utf8');
  const signature = createHmac('sha1', SIGNATURE_KEY)
    .update(Buffer.from(SIGNED_PATH, 'utf8'))
    .update(body)
    .digest('base64');

  const identifyUrl = `${baseUrl}/dg${SIGNED_PATH}?${new URLSearchParams({ platId: PLAT_ID })}`;
  const identified = expect(
    `identify (POST /dg${SIGNED_PATH})`,
    'HTTP 200, "code":0 and an "ident_code"',
    await post(identifyUrl, body, { trace: `example-node-${hex(8)}`, 'api-key': API_KEY, signature }),
    (a) => a.code === 0 && typeof a.data?.ident_code === 'string',
  );
  const identCode = identified.data.ident_code;
  console.log(`1. identify: custom_no ${customNo} got ident_code ${identCode}`);

  // --- 2. redeem the code -----------------------------------------------------
  const redeemed = expect(
    'redirect (POST /dg/v1/identify/redirect)',
    'HTTP 200, "code":0 and "open_token":"Bearer ..."',
    await post(`${baseUrl}/dg/v1/identify/redirect`, JSON.stringify({ ident_code: identCode }), {
      trace: `example-node-${hex(8)}`,
    }),
    (a) => a.code === 0 && typeof a.data?.open_token === 'string' && a.data.open_token.startsWith('Bearer '),
  );
  console.log(`2. redirect: open token ${redeemed.data.open_token.slice(0, 30)}...`);

  // --- 3. UOCS login ----------------------------------------------------------
  const login = expect(
    'UOCS login (POST /apis-auth/login/auth)',
    'HTTP 200, "success":true and obj.token',
    await post(`${baseUrl}/apis-auth/login/auth`, JSON.stringify(UOCS_LOGIN), {}),
    (a) => a.success === true && typeof a.obj?.token === 'string',
  );
  const uocsToken = login.obj.token;
  console.log(`3. UOCS login: token ${uocsToken.slice(0, 20)}...`);

  // --- 4. UOCS capacity check -----------------------------------------------
  const requestId = `example-node-${hex(8)}`;
  const capacity = expect(
    'UOCS capacity check (POST /uocs-tes/waybill/api/carrierWaybill)',
    'HTTP 200, "success":true and obj.flightTime',
    await post(`${baseUrl}/uocs-tes/waybill/api/carrierWaybill`, JSON.stringify({ requestId, ...CAPACITY_EXAMPLE }), {
      token: uocsToken,
    }),
    (a) => a.success === true && Number.isInteger(a.obj?.flightTime),
  );
  console.log(`4. UOCS carrierWaybill: carriable, flight ${capacity.obj.flightTime} min (requestId ${requestId})`);

  // --- 5. UOCS create a waybill -----------------------------------------------
  const created = expect(
    'UOCS create (POST /uocs-tes/waybill/api/createWaybill)',
    'HTTP 200, "success":true and obj.fyCode',
    await post(`${baseUrl}/uocs-tes/waybill/api/createWaybill`, JSON.stringify({ ...CREATE_EXAMPLE, bizCode: requestId }), {
      token: uocsToken,
    }),
    (a) => a.success === true && typeof a.obj?.fyCode === 'string',
  );
  const fyCode = created.obj.fyCode;
  console.log(`5. UOCS createWaybill: fyCode ${fyCode}`);

  // --- 6. UOCS waybill details ------------------------------------------------
  const details = expect(
    'UOCS details (POST /uocs-tes/waybill/api/selectOrderDetails)',
    'HTTP 200, "success":true and obj.orderStatus',
    await post(`${baseUrl}/uocs-tes/waybill/api/selectOrderDetails`, JSON.stringify({ devCode: 'tc123456', fyCode }), {
      token: uocsToken,
    }),
    (a) => a.success === true && Number.isInteger(a.obj?.orderStatus),
  );
  console.log(`6. UOCS selectOrderDetails: orderStatus ${details.obj.orderStatus} (0: awaiting pickup)`);
  console.log('flow complete');
}

if (typeof fetch !== 'function' || typeof AbortSignal.timeout !== 'function') {
  console.error(`this example needs Node.js 20 or later (found ${process.version})`);
  process.exit(1);
}

const baseUrl = (process.argv[2] || envOr('AUTHSIM_URL', 'http://127.0.0.1:8080')).replace(/\/+$/, '');
try {
  await flow(baseUrl);
} catch (error) {
  if (!(error instanceof FlowError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
