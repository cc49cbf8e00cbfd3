// The authsim dashboard. Everything it shows comes from the admin API
// (/__admin/...), read with fetch as any client would; every control is an
// existing admin call. Two long polls keep it live: the journal's wait
// (GET /__admin/requests/wait?changed_from=N) and the change feed (GET
// /__admin/changes?after=CURSOR). Nothing polls on a timer; the one-second
// tick only redraws the clock and the countdowns from the last answer.
//
// All text from the server goes into the page as text (textContent, text
// nodes), never as HTML.
(() => {
  'use strict';

  // ---------------------------------------------------------------- text
  const I18N = {
    en: {
      'title': 'dashboard',
      'clock.label': 'Simulated clock',
      'clock.minute': '+1 min', 'clock.hour': '+1 h', 'clock.day': '+1 day', 'clock.week': '+7 days',
      'clock.real': 'Real time',
      'clock.mode.real': 'real time', 'clock.mode.shifted': 'shifted {offset}',
      'tab.requests': 'Requests', 'tab.outbound': 'Outbound', 'tab.state': 'State', 'tab.controls': 'Controls',
      'filter.api': 'API', 'filter.any': 'any', 'filter.other': 'other', 'filter.path': 'Path',
      'filter.outcome': 'Outcome', 'filter.text': 'Text', 'filter.text_hint': 'trace, code, message, body…',
      'requests.live': 'live', 'requests.down': 'reconnecting',
      'requests.count': 'Showing {shown} of the last {held} requests ({total} since the last reset).',
      'requests.empty': 'No requests yet. Send one to the simulated APIs and it shows here.',
      'requests.none_match': 'No request matches the filters.',
      'col.time': 'Time', 'col.method': 'Method', 'col.path': 'Path', 'col.status': 'Status', 'col.code': 'Code',
      'col.decided': 'Decided by', 'col.duration': 'Duration', 'col.code_value': 'Code', 'col.platform': 'Platform',
      'col.expires': 'Expires', 'col.token': 'Token', 'col.payment': 'Payment', 'col.outcome': 'Outcome',
      'col.amount': 'Amount', 'col.events': 'Events', 'col.started': 'Started', 'col.next_step': 'Next step',
      'col.pushes': 'Pushes', 'col.created': 'Created', 'col.name': 'Name', 'col.mode': 'Verification',
      'detail.close': 'Close', 'detail.summary': 'Request', 'detail.headers': 'Headers', 'detail.body': 'Body',
      'detail.answer': 'Answer', 'detail.no_answer': 'No answer was sent (a connection fault).',
      'detail.diagnostics': 'Diagnostics', 'detail.time': 'Time (simulated)', 'detail.client': 'Client',
      'detail.query': 'Query', 'detail.outcome': 'Outcome', 'detail.check': 'Check', 'detail.rule': 'Scenario rule',
      'detail.fault': 'Fault', 'detail.duration': 'Duration', 'detail.body_bytes': '{bytes} bytes',
      'detail.body_cut': '{bytes} bytes, the first 4 KiB shown', 'detail.empty_body': '(empty body)',
      'sig.title': 'Signature diagnostics', 'sig.path': 'Signed path', 'sig.algorithm': 'Algorithm',
      'sig.encoding': 'Encoding', 'sig.verification': 'Verification', 'sig.received': 'Received signature',
      'sig.expected': 'Expected signature', 'sig.missing': '(no signature header)',
      'sig.string': 'The string authsim signed (signed path + raw body)',
      'sig.string_cut': 'The signed string is cut at 16 KiB here: compare the part shown.',
      'sig.paste': 'Paste the string your code signed',
      'sig.paste_hint': 'The first differing character is marked, with what the difference usually means.',
      'cmp.same': 'The strings are identical.',
      'cmp.differs': 'First difference at character {index} (of {theirs} in authsim\'s string, {yours} in yours): authsim has {a}, yours has {b}.',
      'cmp.end': 'the end of the string',
      'cmp.ours': 'authsim signed', 'cmp.yours': 'your code signed',
      'hint.same': 'Same string, different signature: the key differs (or the algorithm or encoding). Sign with the platform\'s signature key, HMAC-SHA1, Base64.',
      'hint.dg': 'Your string keeps the /dg prefix: the signed path leaves it out (sign /v1/…, not /dg/v1/…).',
      'hint.query': 'Your string has the query (?platId=…) in it: only the path is signed, without the query.',
      'hint.reserialised': 'Same JSON, different bytes: your code signed a re-serialised body (spacing, key order or escaping). Sign the exact bytes you send.',
      'hint.body': 'The bodies differ: sign the body you send, byte for byte, after the path.',
      'hint.path': 'The paths differ: sign the request path as authsim shows it, without /dg and without the query.',
      'hint.short': 'Your string stops early: is the body missing from what your code signs?',
      'hint.long': 'Your string is longer: something was added after the body (a newline, a second body?).',
      'outbound.note': 'Credit Pay webhooks and UOCS pushes, grouped by payment or waybill, each attempt with its answer; the credit-limit calls fetch_data made.',
      'outbound.empty': 'No webhook event, push or credit-limit call yet.',
      'outbound.payment': 'Payment {id}', 'outbound.waybill': 'Waybill {id}', 'outbound.platform': 'platform {id}',
      'outbound.app': 'app {id}', 'outbound.due': 'due {time}', 'outbound.next': 'next attempt {time}',
      'outbound.no_attempt': 'not attempted yet', 'outbound.redeliver': 'Redeliver',
      'outbound.redelivered': 'Sent again: {status}', 'outbound.fault': 'scenario fault: {kind}',
      'outbound.attempt': 'attempt {n}', 'outbound.retry': 'retry {n}', 'outbound.credit_calls': 'Credit-limit calls (fetch_data)',
      'outbound.violations': 'Outside the contract:', 'outbound.shown': '{shown} of {count} events shown.',
      'state.codes': 'Credit Pay codes', 'state.tokens': 'UOCS tokens', 'state.payments': 'Payments',
      'state.waybills': 'UOCS waybills', 'state.none': 'None.', 'state.more': '{shown} of {count} shown.',
      'state.delivered': '{delivered} of {count} delivered',
      'status.issued': 'issued', 'status.redeemed': 'redeemed', 'status.expired': 'expired', 'status.valid': 'valid',
      'time.in': 'in {span}', 'time.ago': '{span} ago', 'time.now': 'now',
      'unit.d': '{n} d', 'unit.h': '{n} h', 'unit.min': '{n} min', 'unit.s': '{n} s',
      'controls.scenario': 'Active scenario',
      'controls.scenario_note': 'Every request to the simulated APIs passes through the active scenario\'s rules (PUT /__admin/scenario).',
      'controls.no_scenario': '(none)', 'controls.platforms': 'Signature verification per platform',
      'controls.reset': 'Reset',
      'controls.reset_note': 'Forgets every code, token, payment, waybill, webhook event and the journal (POST /__admin/reset). Fixtures, clock, modes and the scenario stay.',
      'controls.reset_button': 'Reset authsim', 'controls.reset_confirm': 'Press again to reset',
      'controls.reset_done': 'Reset: everything issued was forgotten.', 'controls.saved': 'Saved: {what}.',
      'token.title': 'Admin token',
      'token.explain': 'This authsim runs with --admin-token. Enter the token once: it is kept for this tab only (sessionStorage) and sent as an Authorization header, never in a URL.',
      'token.label': 'Token', 'token.submit': 'Use this token', 'token.wrong': 'authsim refused this token: {message}',
      'banner.down': 'authsim does not answer ({message}); trying again.',
      'banner.failed': '{what} failed: {message}',
    },
    zh: {
      'title': '控制台',
      'clock.label': '模拟时钟',
      'clock.minute': '+1 分钟', 'clock.hour': '+1 小时', 'clock.day': '+1 天', 'clock.week': '+7 天',
      'clock.real': '回到真实时间',
      'clock.mode.real': '真实时间', 'clock.mode.shifted': '已偏移 {offset}',
      'tab.requests': '请求', 'tab.outbound': '外呼', 'tab.state': '状态', 'tab.controls': '控制',
      'filter.api': '接口', 'filter.any': '全部', 'filter.other': '其他', 'filter.path': '路径',
      'filter.outcome': '结果', 'filter.text': '文本', 'filter.text_hint': 'trace、错误码、消息、请求体…',
      'requests.live': '实时', 'requests.down': '重新连接中',
      'requests.count': '显示最近 {held} 个请求中的 {shown} 个（自上次重置以来共 {total} 个）。',
      'requests.empty': '还没有请求。向模拟接口发送一个请求，它会显示在这里。',
      'requests.none_match': '没有符合筛选条件的请求。',
      'col.time': '时间', 'col.method': '方法', 'col.path': '路径', 'col.status': '状态', 'col.code': '业务码',
      'col.decided': '判定依据', 'col.duration': '耗时', 'col.code_value': '授权码', 'col.platform': '平台',
      'col.expires': '过期', 'col.token': '令牌', 'col.payment': '支付', 'col.outcome': '结局',
      'col.amount': '金额', 'col.events': '事件', 'col.started': '开始于', 'col.next_step': '下一步',
      'col.pushes': '推送', 'col.created': '创建于', 'col.name': '名称', 'col.mode': '验签',
      'detail.close': '关闭', 'detail.summary': '请求', 'detail.headers': '请求头', 'detail.body': '请求体',
      'detail.answer': '应答', 'detail.no_answer': '没有发送应答（连接故障）。',
      'detail.diagnostics': '诊断', 'detail.time': '时间（模拟）', 'detail.client': '客户端',
      'detail.query': '查询参数', 'detail.outcome': '结果', 'detail.check': '检查项', 'detail.rule': '场景规则',
      'detail.fault': '故障', 'detail.duration': '耗时', 'detail.body_bytes': '{bytes} 字节',
      'detail.body_cut': '{bytes} 字节，仅显示前 4 KiB', 'detail.empty_body': '（空请求体）',
      'sig.title': '签名诊断', 'sig.path': '签名路径', 'sig.algorithm': '算法',
      'sig.encoding': '编码', 'sig.verification': '验签模式', 'sig.received': '收到的签名',
      'sig.expected': '期望的签名', 'sig.missing': '（没有签名请求头）',
      'sig.string': 'authsim 签名的字符串（签名路径 + 原始请求体）',
      'sig.string_cut': '此处签名字符串截断于 16 KiB：请比较显示的部分。',
      'sig.paste': '粘贴您的代码签名的字符串',
      'sig.paste_hint': '第一个不同的字符会被标出，并说明这种差异通常意味着什么。',
      'cmp.same': '两个字符串完全相同。',
      'cmp.differs': '第一个差异位于第 {index} 个字符（authsim 的字符串共 {theirs} 个字符，您的共 {yours} 个）：authsim 为 {a}，您的为 {b}。',
      'cmp.end': '字符串结尾',
      'cmp.ours': 'authsim 签名的', 'cmp.yours': '您的代码签名的',
      'hint.same': '字符串相同而签名不同：密钥不同（或算法、编码不同）。请使用该平台的签名密钥、HMAC-SHA1 和 Base64。',
      'hint.dg': '您的字符串保留了 /dg 前缀：签名路径不含该前缀（应签 /v1/…，而不是 /dg/v1/…）。',
      'hint.query': '您的字符串包含查询参数（?platId=…）：只签路径，不签查询参数。',
      'hint.reserialised': 'JSON 相同但字节不同：您的代码签的是重新序列化后的请求体（空白、键的顺序或转义不同）。请对实际发送的字节签名。',
      'hint.body': '请求体不同：请在路径之后对实际发送的请求体逐字节签名。',
      'hint.path': '路径不同：请按 authsim 显示的请求路径签名，不含 /dg，也不含查询参数。',
      'hint.short': '您的字符串提前结束：您的代码签名时是否漏掉了请求体？',
      'hint.long': '您的字符串更长：请求体之后多了内容（换行符，或第二个请求体？）。',
      'outbound.note': 'Credit Pay 的 webhook 和 UOCS 的推送，按支付或运单分组，每次尝试及其应答；以及 fetch_data 发出的额度查询。',
      'outbound.empty': '还没有 webhook 事件、推送或额度查询。',
      'outbound.payment': '支付 {id}', 'outbound.waybill': '运单 {id}', 'outbound.platform': '平台 {id}',
      'outbound.app': '应用 {id}', 'outbound.due': '计划于 {time}', 'outbound.next': '下次尝试 {time}',
      'outbound.no_attempt': '尚未尝试', 'outbound.redeliver': '重新发送',
      'outbound.redelivered': '已重新发送：{status}', 'outbound.fault': '场景故障：{kind}',
      'outbound.attempt': '第 {n} 次尝试', 'outbound.retry': '重试 {n}', 'outbound.credit_calls': '额度查询（fetch_data）',
      'outbound.violations': '不符合约定之处：', 'outbound.shown': '显示 {count} 个事件中的 {shown} 个。',
      'state.codes': 'Credit Pay 授权码', 'state.tokens': 'UOCS 令牌', 'state.payments': '支付',
      'state.waybills': 'UOCS 运单', 'state.none': '无。', 'state.more': '显示 {count} 个中的 {shown} 个。',
      'state.delivered': '已送达 {delivered}/{count}',
      'status.issued': '已签发', 'status.redeemed': '已使用', 'status.expired': '已过期', 'status.valid': '有效',
      'time.in': '{span}后', 'time.ago': '{span}前', 'time.now': '现在',
      'unit.d': '{n} 天', 'unit.h': '{n} 小时', 'unit.min': '{n} 分', 'unit.s': '{n} 秒',
      'controls.scenario': '当前场景',
      'controls.scenario_note': '发往模拟接口的每个请求都会经过当前场景的规则（PUT /__admin/scenario）。',
      'controls.no_scenario': '（无）', 'controls.platforms': '各平台的验签模式',
      'controls.reset': '重置',
      'controls.reset_note': '清除所有授权码、令牌、支付、运单、webhook 事件和请求日志（POST /__admin/reset）。夹具、时钟、验签模式和场景保持不变。',
      'controls.reset_button': '重置 authsim', 'controls.reset_confirm': '再按一次以重置',
      'controls.reset_done': '已重置：所有签发的内容均已清除。', 'controls.saved': '已保存：{what}。',
      'token.title': '管理令牌',
      'token.explain': '此 authsim 以 --admin-token 运行。请输入一次令牌：它只保存在此标签页（sessionStorage），以 Authorization 请求头发送，绝不放进 URL。',
      'token.label': '令牌', 'token.submit': '使用此令牌', 'token.wrong': 'authsim 拒绝了此令牌：{message}',
      'banner.down': 'authsim 没有应答（{message}）；正在重试。',
      'banner.failed': '{what} 失败：{message}',
    },
  };

  const LANG_KEY = 'authsim.lang';
  const storedLang = (() => { try { return localStorage.getItem(LANG_KEY); } catch (e) { return null; } })();
  let lang = storedLang === 'en' || storedLang === 'zh' ? storedLang
    : (navigator.languages || [navigator.language || 'en']).some((l) => /^zh\b/i.test(l)) ? 'zh' : 'en';

  function t(key, vars) {
    const text = (I18N[lang] && I18N[lang][key]) || I18N.en[key] || key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : text;
  }

  // ------------------------------------------------------------ helpers
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // An element; strings among the children become text nodes.
  function h(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  const pad = (n, w = 2) => String(n).padStart(w, '0');
  function fmtTime(ms) {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  function fmtDateTime(ms) {
    const d = new Date(ms);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  function span(ms) {
    let s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const hr = Math.floor(s / 3600); s -= hr * 3600;
    const min = Math.floor(s / 60); s -= min * 60;
    const parts = [];
    if (d) parts.push(t('unit.d', { n: d }));
    if (hr && parts.length < 2) parts.push(t('unit.h', { n: hr }));
    if (min && parts.length < 2 && !d) parts.push(t('unit.min', { n: min }));
    if ((s || !parts.length) && parts.length < 2 && !d && !hr) parts.push(t('unit.s', { n: s }));
    return parts.join(' ');
  }
  function relative(targetMs) {
    const delta = targetMs - simNow();
    if (Math.abs(delta) < 1000) return t('time.now');
    return delta > 0 ? t('time.in', { span: span(delta) }) : t('time.ago', { span: span(delta) });
  }
  const ms = (us) => `${(us / 1000).toFixed(us < 10000 ? 2 : 1)} ms`;
  const pretty = (v) => JSON.stringify(v, null, 2);
  function kv(rows) {
    return h('dl', { class: 'kv' }, rows.filter((r) => r && r[1] !== undefined).map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v === null ? '—' : v)]));
  }

  // --------------------------------------------------------- admin calls
  const TOKEN_KEY = 'authsim.adminToken';
  let token = (() => { try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; } })();
  let asking = null;

  class CallError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  async function call(method, path, body, tokenToUse = token) {
    const headers = {};
    if (tokenToUse) headers.Authorization = `Bearer ${tokenToUse}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      const error = data && data.error ? data.error : {};
      throw new CallError(res.status, error.code || '', error.message || `HTTP ${res.status}`);
    }
    return data;
  }

  // An admin call; a 401 asks for the token (once for every call waiting).
  async function api(method, path, body) {
    for (;;) {
      const sent = token;
      try {
        return await call(method, path, body, sent);
      } catch (e) {
        if (!(e instanceof CallError) || e.status !== 401) throw e;
        // Refused with a token given up since: try again with the new one.
        if (token !== sent && token) continue;
        await askToken(e.code === 'ADMIN_TOKEN_INVALID' ? e.message : '');
      }
    }
  }

  function askToken(problem) {
    if (asking) return asking;
    asking = new Promise((resolve) => {
      const dialog = $('#token-dialog');
      const input = $('#token-input');
      const error = $('#token-error');
      error.hidden = !problem;
      error.textContent = problem ? t('token.wrong', { message: problem }) : '';
      const submit = async (event) => {
        event.preventDefault();
        const candidate = input.value.trim();
        if (!candidate) return;
        try {
          await call('GET', '/__admin/clock', undefined, candidate);
        } catch (e) {
          error.textContent = t('token.wrong', { message: e.message });
          error.hidden = false;
          input.select();
          return;
        }
        token = candidate;
        try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* kept in memory only */ }
        $('#token-form').removeEventListener('submit', submit);
        input.value = '';
        asking = null;
        dialog.close();
        resolve();
      };
      $('#token-form').addEventListener('submit', submit);
      dialog.showModal();
      input.focus();
    });
    return asking;
  }
  // The token is needed for anything: the dialog cannot be dismissed (a
  // browser may close it on Escape all the same: it opens again).
  $('#token-dialog').addEventListener('cancel', (e) => e.preventDefault());
  $('#token-dialog').addEventListener('close', () => {
    if (asking) $('#token-dialog').showModal();
  });

  // One line of news at the top; `kind` 'down' marks the live loops' own,
  // which only they clear.
  let bannerKind = '';
  function banner(text, kind = '') {
    const b = $('#banner');
    b.textContent = text || '';
    b.hidden = !text;
    bannerKind = text ? kind : '';
  }
  function clearDown() {
    if (bannerKind === 'down') banner('');
  }

  // ---------------------------------------------------------------- clock
  let clock = { now: Date.now(), at: performance.now(), offset: 0, mode: 'real' };
  const simNow = () => clock.now + (performance.now() - clock.at);

  function setClock(answer) {
    clock = { now: answer.now_ms, at: performance.now(), offset: answer.offset_ms, mode: answer.mode };
    drawClock();
  }
  function drawClock() {
    const now = simNow();
    const el = $('#clock-now');
    el.textContent = fmtDateTime(now);
    el.dateTime = new Date(now).toISOString();
    el.dataset.nowMs = String(Math.floor(now));
    const mode = $('#clock-mode');
    const sign = clock.offset < 0 ? '−' : '+';
    mode.textContent = clock.mode === 'real' ? t('clock.mode.real') : t('clock.mode.shifted', { offset: sign + span(clock.offset) });
    mode.className = `badge ${clock.mode}`;
    mode.dataset.mode = clock.mode;
  }
  async function loadClock() { setClock(await api('GET', '/__admin/clock')); }

  async function control(what, method, path, body) {
    try {
      const answer = await api(method, path, body);
      banner('');
      return answer;
    } catch (e) {
      banner(t('banner.failed', { what, message: e.message }));
      return null;
    }
  }

  for (const button of $$('button.advance')) {
    button.addEventListener('click', async () => {
      const answer = await control(`PUT /__admin/clock`, 'PUT', '/__admin/clock', { advance_ms: Number(button.dataset.advanceMs) });
      if (answer) { setClock(answer); refreshSoon(); }
    });
  }
  $('#clock-real').addEventListener('click', async () => {
    const answer = await control('PUT /__admin/clock', 'PUT', '/__admin/clock', { mode: 'real' });
    if (answer) { setClock(answer); refreshSoon(); }
  });

  // ------------------------------------------------------------- requests
  const journal = { total: 0, entries: [], limit: 200, seen: new Set(), loaded: false, open: null, pasted: new Map() };
  const keyOf = (e) => `${e.id}@${e.time_ms}`;

  function apiOf(path) {
    if (path.startsWith('/dg/') || path === '/dg') return 'creditpay';
    if (path.startsWith('/apis-auth/') || path.startsWith('/uocs-')) return 'uocs';
    return 'other';
  }
  function businessCode(answer) {
    if (!answer) return '';
    if (answer.code !== undefined && answer.code !== null) return String(answer.code);
    if (answer.errorCode) return String(answer.errorCode);
    if (answer.success === true) return 'success';
    if (answer.success === false) return 'failure';
    return '';
  }
  function decidedText(e) {
    const d = e.decided_by || {};
    return [d.check, d.rule && `rule ${d.rule}`, d.fault && `fault ${d.fault}`].filter(Boolean).join(' · ');
  }
  function passes(e) {
    const api = $('#filter-api').value;
    const path = $('#filter-path').value.trim();
    const outcome = $('#filter-outcome').value;
    const text = $('#filter-text').value.trim().toLowerCase();
    if (api && apiOf(e.path) !== api) return false;
    if (path && !e.path.includes(path)) return false;
    if (outcome && e.outcome !== outcome) return false;
    if (text && !JSON.stringify(e).toLowerCase().includes(text)) return false;
    return true;
  }

  function drawRequests() {
    const body = $('#requests tbody');
    const rows = [];
    for (const e of journal.entries) {
      if (!passes(e)) continue;
      const key = keyOf(e);
      const answer = e.answer;
      const row = h('tr', {
        class: `outcome-${e.outcome}${journal.loaded && !journal.seen.has(key) ? ' fresh' : ''}`,
        tabindex: 0, 'aria-selected': journal.open === key ? 'true' : 'false',
        dataset: { key, id: String(e.id), outcome: e.outcome },
      },
      h('td', { class: 'mono', title: fmtDateTime(e.time_ms) }, fmtTime(e.time_ms)),
      h('td', { class: 'wide', text: e.method }),
      h('td', { class: 'path mono', text: e.path }),
      h('td', { class: `status-${e.outcome}`, text: answer ? String(answer.status) : (e.decided_by && e.decided_by.fault) || 'fault' }),
      h('td', { class: 'mono', text: businessCode(answer) }),
      h('td', { class: 'wide', text: decidedText(e) }),
      h('td', { class: 'num dur', text: ms(e.duration_us || 0) }));
      rows.push(row);
    }
    body.replaceChildren(...rows);
    journal.seen = new Set(journal.entries.map(keyOf));
    journal.loaded = true;
    $('#requests-empty').hidden = rows.length > 0;
    $('#requests-empty').textContent = journal.entries.length ? t('requests.none_match') : t('requests.empty');
    $('#requests-count').textContent = t('requests.count', { shown: rows.length, held: journal.entries.length, total: journal.total });
  }

  async function reloadJournal() {
    const all = await api('GET', `/__admin/requests?limit=${journal.limit}`);
    const newest = all.entries[0] ? keyOf(all.entries[0]) : '';
    const shown = journal.entries[0] ? keyOf(journal.entries[0]) : '';
    if (all.total !== journal.total || newest !== shown || all.entries.length !== journal.entries.length) {
      journal.total = all.total;
      journal.entries = all.entries;
      drawRequests();
    }
  }

  function setLive(up) {
    const live = $('#requests-live');
    live.classList.toggle('down', !up);
    live.textContent = up ? t('requests.live') : t('requests.down');
  }

  async function requestsLoop() {
    let backoff = 1000;
    let fresh = true;
    for (;;) {
      try {
        if (fresh) {
          const first = await api('GET', '/__admin/requests?limit=1');
          journal.limit = Math.min(200, first.capacity);
          const all = await api('GET', `/__admin/requests?limit=${journal.limit}`);
          journal.total = all.total;
          journal.entries = all.entries;
          journal.loaded = false;
          drawRequests();
          fresh = false;
        }
        setLive(true);
        clearDown();
        backoff = 1000;
        const r = await api('GET', `/__admin/requests/wait?changed_from=${journal.total}&limit=${journal.limit}&timeout_ms=25000`);
        if (r.satisfied) {
          journal.total = r.count;
          journal.entries = r.entries;
          drawRequests();
          refreshSoon();
          await sleep(150);  // at most a few redraws a second under load
        }
      } catch (e) {
        setLive(false);
        banner(t('banner.down', { message: e.message }), 'down');
        fresh = true;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10000);
      }
    }
  }

  function openRequest(key, focusDetail) {
    const e = journal.entries.find((x) => keyOf(x) === key);
    if (!e) return;
    journal.open = key;
    for (const row of $$('#requests tbody tr')) row.setAttribute('aria-selected', row.dataset.key === key ? 'true' : 'false');
    $('#detail-title').textContent = `#${e.id} ${e.method} ${e.path}`;
    $('#detail-body').replaceChildren(...detailOf(e, key));
    $('#detail').hidden = false;
    if (focusDetail) $('#detail').focus();
  }
  function closeRequest() {
    const key = journal.open;
    journal.open = null;
    $('#detail').hidden = true;
    for (const row of $$('#requests tbody tr')) row.setAttribute('aria-selected', 'false');
    const row = key && $$('#requests tbody tr').find((r) => r.dataset.key === key);
    if (row) row.focus();
  }

  function detailOf(e, key) {
    const d = e.decided_by || {};
    const out = [];
    out.push(h('h3', { text: t('detail.summary') }), kv([
      [t('detail.time'), `${fmtDateTime(e.time_ms)}.${pad(e.time_ms % 1000, 3)}`],
      [t('detail.client'), e.client],
      [t('detail.query'), e.query || '—'],
      [t('detail.outcome'), e.outcome],
      [t('detail.check'), d.check],
      [t('detail.rule'), d.rule],
      [t('detail.fault'), d.fault],
      [t('detail.duration'), ms(e.duration_us || 0)],
    ]));
    out.push(h('h3', { text: t('detail.headers') }), kv(Object.entries(e.headers || {}).map(([k, v]) => [k, String(v)])));
    out.push(h('h3', {}, t('detail.body'), ' ', h('small', { class: 'note', text: e.body_truncated ? t('detail.body_cut', { bytes: e.body_bytes }) : t('detail.body_bytes', { bytes: e.body_bytes }) })));
    out.push(h('pre', { class: 'body', text: e.body || t('detail.empty_body') }));
    out.push(h('h3', { text: t('detail.answer') }));
    out.push(e.answer ? h('pre', { class: 'answer', text: pretty(e.answer) }) : h('p', { class: 'note', text: t('detail.no_answer') }));
    const diagnostics = e.diagnostics || {};
    if (diagnostics.signature) out.push(signatureBlock(diagnostics.signature, key));
    const others = Object.entries(diagnostics).filter(([name]) => name !== 'signature');
    if (others.length) {
      out.push(h('h3', { text: t('detail.diagnostics') }));
      for (const [name, value] of others) out.push(h('h4', { class: 'mono', text: name }), h('pre', { text: pretty(value) }));
    }
    return out;
  }

  function signatureBlock(s, key) {
    const result = h('div', { class: 'compare-result', 'aria-live': 'polite' });
    const box = h('textarea', { id: 'paste', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'paste-hint' });
    box.value = journal.pasted.get(key) || '';
    const update = () => {
      if (box.value) journal.pasted.set(key, box.value);
      else journal.pasted.delete(key);
      result.replaceChildren(...compareView(s, box.value));
    };
    box.addEventListener('input', update);
    update();
    return h('section', { class: `diagnostics ${s.verification === 'log-only' ? 'log-only' : ''}`, id: 'signature' },
      h('h3', { text: t('sig.title') }),
      kv([
        [t('sig.path'), h('code', { text: s.signed_path })],
        [t('sig.algorithm'), s.algorithm],
        [t('sig.encoding'), s.encoding],
        [t('sig.verification'), s.verification],
        [t('sig.received'), s.received === null || s.received === undefined ? t('sig.missing') : h('code', { id: 'sig-received', text: s.received })],
        [t('sig.expected'), h('code', { id: 'sig-expected', text: s.expected })],
      ]),
      h('h4', { text: t('sig.string') }),
      h('pre', { id: 'signed-string', text: s.signed_string }),
      s.signed_string_truncated ? h('p', { class: 'note', text: t('sig.string_cut') }) : null,
      h('div', { class: 'compare' },
        h('label', { for: 'paste', text: t('sig.paste') }),
        h('p', { id: 'paste-hint', class: 'note', text: t('sig.paste_hint') }),
        box, result));
  }

  // Code points, so that a character outside the BMP counts once.
  const chars = (s) => Array.from(s);
  function describeChar(c) {
    if (c === undefined) return t('cmp.end');
    const cp = c.codePointAt(0);
    // Control and format characters (a direction override, say) only as
    // their code point, so that they cannot rearrange the sentence.
    const shown = cp < 0x20 || cp === 0x7f || /\p{Cf}/u.test(c) ? '' : `'${c}' `;
    return `${shown}(U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
  }
  // The body part of a signed string: from its first '{' or '['.
  function bodyStart(s) {
    const m = s.search(/[{[]/);
    return m < 0 ? s.length : m;
  }
  function sameJson(a, b) {
    try { return canonical(a) === canonical(b); } catch (e) { return false; }
  }
  function sortKeys(v) {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
    return v;
  }
  function canonical(text) { return JSON.stringify(sortKeys(JSON.parse(text))); }

  // What differs between what authsim signed and what the partner's code
  // signed, and what that usually means.
  // With `truncated`, authsim's string is only the start of what it signed:
  // yours is compared over that length.
  function compareSignedStrings(ours, yours, signedPath, truncated) {
    const a = chars(ours);
    const b = truncated ? chars(yours).slice(0, a.length) : chars(yours);
    if (truncated) yours = b.join('');
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    const same = i === a.length && i === b.length;
    const hints = [];
    if (same) {
      hints.push('same');
    } else {
      const ourPath = signedPath !== undefined ? signedPath : ours.slice(0, bodyStart(ours));
      const yourPath = yours.slice(0, bodyStart(yours));
      const ourBody = ours.slice(ourPath.length);
      const yourBody = yours.slice(yourPath.length);
      if (yourPath.startsWith('/dg/') && !ourPath.startsWith('/dg/')) hints.push('dg');
      if (yourPath.includes('?') && !ourPath.includes('?')) hints.push('query');
      if (yourPath.replace(/^\/dg(?=\/)/, '').replace(/\?.*$/, '') !== ourPath && !hints.length) hints.push('path');
      if (ourBody !== yourBody) {
        if (ourBody && yourBody && sameJson(ourBody, yourBody)) hints.push('reserialised');
        else if (ours.startsWith(yours)) hints.push('short');
        else if (yours.startsWith(ours)) hints.push('long');
        else hints.push('body');
      }
    }
    return { index: i, same, ours: a, yours: b, hints };
  }

  function marked(list, index) {
    const before = list.slice(0, index).join('');
    const at = list[index];
    const after = list.slice(index + 1).join('');
    return [before, at === undefined ? h('mark', { class: 'end', text: '⟂' }) : h('mark', { text: at }), after];
  }

  function compareView(s, pasted) {
    if (!pasted) return [];
    const r = compareSignedStrings(s.signed_string, pasted, s.signed_path, s.signed_string_truncated);
    const out = [];
    if (r.same) {
      out.push(h('p', { class: 'verdict same', text: t('cmp.same') }));
    } else {
      out.push(h('p', { class: 'verdict', dataset: { index: String(r.index) } },
        t('cmp.differs', { index: r.index + 1, theirs: r.ours.length, yours: r.yours.length, a: describeChar(r.ours[r.index]), b: describeChar(r.yours[r.index]) })));
      out.push(h('p', { class: 'note', text: t('cmp.ours') }), h('pre', { class: 'ours' }, marked(r.ours, r.index)));
      out.push(h('p', { class: 'note', text: t('cmp.yours') }), h('pre', { class: 'yours' }, marked(r.yours, r.index)));
    }
    out.push(h('ul', { class: 'hints' }, r.hints.map((k) => h('li', { dataset: { hint: k }, text: t(`hint.${k}`) }))));
    return out;
  }

  // ------------------------------------------------------------- outbound
  function statusBadge(status) {
    const tone = { delivered: 'ok', failed: 'bad', undeliverable: 'bad', dropped: 'bad', retrying: 'warn' }[status] || '';
    return h('span', { class: `badge ${tone}`, dataset: { status }, text: status });
  }

  function attemptItem(a, index) {
    const result = a.status !== null && a.status !== undefined ? `HTTP ${a.status}` : a.error || '?';
    return h('li', { class: 'attempt', dataset: { status: a.status === null || a.status === undefined ? '' : String(a.status) } },
      h('span', { text: `${t('outbound.attempt', { n: index + 1 })} · ${t('outbound.retry', { n: a.retry })} · ` }),
      h('time', { text: fmtDateTime(a.time_ms) }), ' · ',
      h('strong', { class: 'result', text: result }), ` · ${ms(a.latency_us || 0)}`,
      a.trace ? h('span', { class: 'note' }, ' · trace ', h('code', { text: a.trace })) : null,
      a.answer ? h('div', { class: 'answer mono', text: a.answer }) : null);
  }

  function eventView(ev) {
    const redeliver = h('button', { type: 'button', class: 'redeliver', dataset: { eventId: ev.event_id }, text: t('outbound.redeliver') });
    const note = h('span', { class: 'note redelivered', 'aria-live': 'polite' });
    redeliver.addEventListener('click', async () => {
      redeliver.disabled = true;
      const answer = await control(`POST /__admin/webhooks/${ev.event_id}/redeliver`, 'POST', `/__admin/webhooks/${encodeURIComponent(ev.event_id)}/redeliver`);
      redeliver.disabled = false;
      if (answer) { note.textContent = t('outbound.redelivered', { status: answer.status }); refreshSoon(); }
    });
    return h('div', { class: 'event', dataset: { eventId: ev.event_id, type: ev.type, status: ev.status } },
      h('div', { class: 'event-head' },
        h('span', { class: 'type', text: ev.type }), h('code', { text: ev.event_id }), statusBadge(ev.status),
        h('span', { class: 'note', title: fmtDateTime(ev.due_ms), dataset: { relative: String(ev.due_ms), prefix: 'outbound.due' }, text: t('outbound.due', { time: relative(ev.due_ms) }) }),
        ev.next_attempt_ms ? h('span', { class: 'note', dataset: { relative: String(ev.next_attempt_ms), prefix: 'outbound.next' }, text: t('outbound.next', { time: relative(ev.next_attempt_ms) }) }) : null,
        ev.fault ? h('span', { class: 'badge warn', text: t('outbound.fault', { kind: ev.fault.kind }) }) : null,
        redeliver, note),
      ev.attempts && ev.attempts.length
        ? h('ol', { class: 'attempts' }, ev.attempts.map(attemptItem))
        : h('p', { class: 'note', text: t('outbound.no_attempt') }));
  }

  function creditCallsView() {
    const calls = journal.entries.filter((e) => e.diagnostics && e.diagnostics.credit_limit_call);
    if (!calls.length) return null;
    return h('section', { class: 'group', id: 'credit-calls' }, h('h3', { text: t('outbound.credit_calls') }),
      calls.map((e) => {
        const c = e.diagnostics.credit_limit_call;
        const result = c.answer ? `HTTP ${c.answer.status}` : c.error ? `${c.error.kind}: ${c.error.detail}` : '?';
        return h('div', { class: 'event' },
          h('div', { class: 'event-head' }, h('time', { text: fmtDateTime(e.time_ms) }), h('code', { text: c.request.url }),
            h('strong', { text: result }), h('span', { text: ms(c.latency_us || 0) }),
            e.headers && e.headers.trace ? h('span', { class: 'note' }, 'trace ', h('code', { text: e.headers.trace })) : null),
          c.violations && c.violations.length
            ? h('div', {}, h('p', { class: 'error', text: t('outbound.violations') }), h('ul', {}, c.violations.map((v) => h('li', { text: v }))))
            : null,
          c.answer && c.answer.body ? h('pre', { text: c.answer.body }) : null);
      }));
  }

  async function loadOutbound() {
    const r = await api('GET', '/__admin/webhooks?limit=1000');
    const groups = new Map();
    for (const ev of r.items) {
      const key = ev.api === 'uocs' ? `uocs ${ev.fy_code}` : `creditpay ${ev.payment_id}`;
      if (!groups.has(key)) groups.set(key, { api: ev.api, id: ev.api === 'uocs' ? ev.fy_code : ev.payment_id, owner: ev.api === 'uocs' ? ev.app : ev.platform, events: [], latest: 0 });
      const g = groups.get(key);
      g.events.push(ev);
      g.latest = Math.max(g.latest, ev.due_ms);
    }
    const views = [...groups.values()].sort((x, y) => y.latest - x.latest).map((g) => h('section', {
      class: 'group', dataset: { api: g.api, subject: g.id || '' },
    }, h('h3', {},
      h('span', { text: g.api === 'uocs' ? t('outbound.waybill', { id: g.id }) : t('outbound.payment', { id: g.id }) }),
      h('small', { class: 'note', text: g.api === 'uocs' ? t('outbound.app', { id: g.owner }) : t('outbound.platform', { id: g.owner }) })),
    g.events.sort((x, y) => x.due_ms - y.due_ms).map(eventView)));
    const credit = creditCallsView();
    const shown = r.count > r.items.length ? h('p', { class: 'note', text: t('outbound.shown', { shown: r.items.length, count: r.count }) }) : null;
    $('#outbound-groups').replaceChildren(...[shown, credit, ...views].filter(Boolean));
    $('#outbound-empty').hidden = views.length > 0 || credit !== null;
  }

  // ---------------------------------------------------------------- state
  // A code still `issued` (a token still `valid`) once the simulated clock
  // passes its expiry shows as expired, as the next answer will say.
  function statusCell(base, expiresMs, liveName) {
    const shown = base === liveName && simNow() >= expiresMs ? 'expired' : base;
    return h('td', { class: 'state-status', dataset: { status: shown, base, live: liveName, expires: String(expiresMs) }, text: t(`status.${shown}`) });
  }
  const relCell = (when) => h('td', { title: fmtDateTime(when), dataset: { relative: String(when) }, text: relative(when) });
  function fill(table, rows, count) {
    const body = $(`${table} tbody`);
    const cols = $$(`${table} thead th`).length;
    const extra = [];
    if (!rows.length) extra.push(h('tr', {}, h('td', { colspan: cols, class: 'empty', text: t('state.none') })));
    else if (count > rows.length) extra.push(h('tr', {}, h('td', { colspan: cols, class: 'note', text: t('state.more', { shown: rows.length, count }) })));
    body.replaceChildren(...rows, ...extra);
  }

  async function loadState() {
    const [st, payments, waybills] = await Promise.all([
      api('GET', '/__admin/state?limit=200'), api('GET', '/__admin/payments?limit=200'), api('GET', '/__admin/waybills?limit=200')]);
    fill('#state-codes', st.codes.items.slice().reverse().map((c) => h('tr', { dataset: { code: c.ident_code } },
      h('td', { class: 'mono', text: c.ident_code }), h('td', { class: 'mono', text: c.platform }), h('td', { text: c.custom_no }),
      c.status === 'redeemed' ? h('td', { class: 'state-status', dataset: { status: 'redeemed' }, text: t('status.redeemed') })
        : statusCell(c.status, c.expires_at_ms, 'issued'),
      relCell(c.expires_at_ms))), st.codes.count);
    fill('#state-tokens', st.tokens.items.slice().reverse().map((k) => h('tr', { dataset: { token: k.token } },
      h('td', { class: 'mono', title: k.token, text: k.token.length > 24 ? `${k.token.slice(0, 10)}…${k.token.slice(-6)}` : k.token }),
      h('td', { text: k.userId }), h('td', { text: k.appKey }), statusCell(k.status, k.expires_at_ms, 'valid'), relCell(k.expires_at_ms))), st.tokens.count);
    fill('#state-payments', payments.items.map((p) => h('tr', { dataset: { payment: p.payment_id } },
      h('td', { class: 'mono', text: p.payment_id }), h('td', { class: 'mono', text: p.ident_code }), h('td', { text: p.outcome }),
      h('td', { class: 'num', text: `${p.amount} ${p.currency}` }),
      h('td', { text: t('state.delivered', { delivered: p.events.filter((e) => e.status === 'delivered').length, count: p.events.length }) }),
      relCell(p.started_ms))), payments.count);
    fill('#state-waybills', waybills.items.map((w) => {
      const upcoming = Object.entries(w.steps || {}).filter(([, at]) => at !== null && at > waybills.now_ms).sort((x, y) => x[1] - y[1])[0];
      return h('tr', { dataset: { waybill: w.fyCode } },
        h('td', { class: 'mono', text: w.fyCode }), h('td', { text: w.app }), h('td', { text: `${w.orderStatus} ${w.status}` }),
        upcoming ? h('td', { title: fmtDateTime(upcoming[1]) }, `${upcoming[0]} `, h('span', { dataset: { relative: String(upcoming[1]) }, text: relative(upcoming[1]) })) : h('td', { text: '—' }),
        h('td', { class: 'num', text: String(w.pushes) }), relCell(w.created_ms));
    }), waybills.count);
  }

  // -------------------------------------------------------------- controls
  async function loadControls() {
    const [scenarios, platforms] = await Promise.all([api('GET', '/__admin/scenarios'), api('GET', '/__admin/platforms')]);
    const select = $('#scenario');
    const options = [h('option', { value: '', text: t('controls.no_scenario') })];
    for (const s of scenarios.scenarios) options.push(h('option', { value: s.name, text: s.name }));
    select.replaceChildren(...options);
    select.value = scenarios.active || '';
    const active = scenarios.scenarios.find((s) => s.name === scenarios.active);
    $('#scenario-description').textContent = active ? active.description || '' : '';
    $('#platforms tbody').replaceChildren(...platforms.items.map((p) => {
      const mode = h('select', { 'aria-label': `${t('col.mode')} ${p.platId}`, dataset: { platId: p.platId } },
        ['enforce', 'log-only', 'off'].map((m) => h('option', { value: m, text: m })));
      mode.value = p.mode;
      mode.addEventListener('change', async () => {
        const answer = await control(`PUT /__admin/platforms/${p.platId}/verification`, 'PUT',
          `/__admin/platforms/${encodeURIComponent(p.platId)}/verification`, { mode: mode.value });
        if (answer) banner(t('controls.saved', { what: `${p.platId}: ${answer.mode}` }));
      });
      return h('tr', {}, h('td', { class: 'mono', text: p.platId }), h('td', { text: p.name }), h('td', {}, mode),
        h('td', { class: 'mono', text: p.webhook_url || '—' }));
    }));
  }
  $('#scenario').addEventListener('change', async () => {
    const name = $('#scenario').value || null;
    const answer = await control('PUT /__admin/scenario', 'PUT', '/__admin/scenario', { name });
    if (answer) { banner(t('controls.saved', { what: `scenario ${answer.active || t('controls.no_scenario')}` })); refreshSoon(); }
  });
  let resetArmed = null;
  $('#reset').addEventListener('click', async () => {
    const button = $('#reset');
    if (!resetArmed) {
      button.textContent = t('controls.reset_confirm');
      resetArmed = setTimeout(() => { resetArmed = null; button.textContent = t('controls.reset_button'); }, 4000);
      return;
    }
    clearTimeout(resetArmed);
    resetArmed = null;
    button.textContent = t('controls.reset_button');
    if (await control('POST /__admin/reset', 'POST', '/__admin/reset')) { banner(t('controls.reset_done')); refreshSoon(); }
  });

  // ----------------------------------------------------- views and feeds
  const loaders = { outbound: loadOutbound, state: loadState, controls: loadControls };
  let view = 'requests';
  const stale = new Set(['outbound', 'state', 'controls']);

  function selectView(name, focusTab) {
    if (!document.getElementById(`view-${name}`)) name = 'requests';
    view = name;
    for (const tab of $$('#tabs [role="tab"]')) {
      const on = tab.dataset.view === name;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      if (on && focusTab) tab.focus();
    }
    for (const section of $$('main > .view')) section.hidden = section.id !== `view-${name}`;
    if (history.replaceState) history.replaceState(null, '', `#${name}`);
    if (stale.has(name)) refreshSoon();
  }

  let refreshing = null;
  let again = false;
  // Redraws the clock and the open view from the admin API, at most one
  // refresh at a time; the other views are marked for their next opening.
  function refreshSoon() {
    for (const name of Object.keys(loaders)) stale.add(name);
    if (refreshing) { again = true; return; }
    refreshing = (async () => {
      do {
        again = false;
        await sleep(50);
        try {
          await loadClock();
          // A reset followed by as many requests as before leaves the
          // journal's count where the live wait expects it: read it again.
          await reloadJournal();
          if (loaders[view]) { stale.delete(view); await loaders[view](); }
        } catch (e) {
          banner(t('banner.failed', { what: view, message: e.message }));
        }
      } while (again);
      refreshing = null;
    })();
  }

  async function changesLoop() {
    let cursor = null;
    let backoff = 1000;
    for (;;) {
      try {
        const query = cursor === null ? '' : `?after=${encodeURIComponent(cursor)}&timeout_ms=25000`;
        const r = await api('GET', `/__admin/changes${query}`);
        const first = cursor === null;
        cursor = r.cursor;
        backoff = 1000;
        if (r.changed || first) {
          refreshSoon();
          await sleep(150);
        }
      } catch (e) {
        cursor = null;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10000);
      }
    }
  }

  // The one-second tick: the clock and every countdown, from the last
  // answers; no call to authsim.
  function tick() {
    drawClock();
    for (const el of $$('[data-relative]')) {
      const when = Number(el.dataset.relative);
      el.textContent = el.dataset.prefix ? t(el.dataset.prefix, { time: relative(when) }) : relative(when);
    }
    for (const el of $$('td.state-status[data-expires]')) {
      const status = simNow() >= Number(el.dataset.expires) && el.dataset.base === el.dataset.live ? 'expired' : el.dataset.base;
      if (el.dataset.status !== status) { el.dataset.status = status; el.textContent = t(`status.${status}`); }
    }
  }

  function applyLanguage() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    for (const el of $$('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of $$('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
    for (const b of $$('#lang-switch button')) b.setAttribute('aria-pressed', b.dataset.lang === lang ? 'true' : 'false');
    drawClock();
    drawRequests();
    if (journal.open) openRequest(journal.open, false);
    for (const name of Object.keys(loaders)) stale.add(name);
    if (loaders[view]) refreshSoon();
    setLive(!$('#requests-live').classList.contains('down'));
  }

  // ------------------------------------------------------------- wiring
  for (const b of $$('#lang-switch button')) {
    b.addEventListener('click', () => {
      lang = b.dataset.lang;
      try { localStorage.setItem(LANG_KEY, lang); } catch (e) { /* this tab only */ }
      applyLanguage();
    });
  }
  const tabs = $$('#tabs [role="tab"]');
  for (const tab of tabs) tab.addEventListener('click', () => selectView(tab.dataset.view, false));
  $('#tabs').addEventListener('keydown', (e) => {
    const at = tabs.findIndex((tab) => tab.dataset.view === view);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    selectView(tabs[(to + tabs.length) % tabs.length].dataset.view, true);
  });
  for (const id of ['#filter-api', '#filter-path', '#filter-outcome', '#filter-text']) $(id).addEventListener('input', drawRequests);
  $('#filters').addEventListener('submit', (e) => e.preventDefault());
  $('#requests tbody').addEventListener('click', (e) => {
    const row = e.target.closest('tr');
    if (row && row.dataset.key) openRequest(row.dataset.key, false);
  });
  $('#requests tbody').addEventListener('keydown', (e) => {
    const row = e.target.closest('tr');
    if (!row) return;
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); openRequest(row.dataset.key, true); }
    else if (e.key === 'ArrowDown' && row.nextElementSibling) { e.preventDefault(); row.nextElementSibling.focus(); }
    else if (e.key === 'ArrowUp' && row.previousElementSibling) { e.preventDefault(); row.previousElementSibling.focus(); }
  });
  $('#detail-close').addEventListener('click', closeRequest);
  document.addEventListener('keydown', (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName);
    if (e.key === 'Escape' && journal.open && !$('#token-dialog').open) closeRequest();
    else if (e.key === '/' && !typing) { e.preventDefault(); $('#filter-text').focus(); }
  });

  applyLanguage();
  selectView(location.hash.slice(1) || 'requests', false);
  setInterval(tick, 1000);
  api('GET', '/__admin/health').then((health) => { $('#version').textContent = `v${health.version}`; }).catch(() => {});
  requestsLoop();
  changesLoop();
})();
