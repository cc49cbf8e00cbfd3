#include "creditpay/cashier_page.hpp"

#include "creditpay/api.hpp"
#include "support/text.hpp"

namespace authsim::creditpay {

namespace {

// Shared by both pages; kept small and without external resources, so the
// page works offline and under a strict Content-Security-Policy.
constexpr const char* style = R"(
body { font: 15px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.3rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dt { color: #59636e; }
dd { margin: 0; word-break: break-all; }
.state { font-weight: 600; }
.state-issued { color: #1a7f37; } .state-redeemed, .state-expired, .state-unknown { color: #b35900; }
button { font: inherit; padding: .45rem 1.1rem; border-radius: 6px; border: 1px solid #1f883d; background: #1f883d; color: #fff; cursor: pointer; }
button[disabled] { opacity: .6; cursor: default; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.note { color: #59636e; font-size: .85rem; }
#open-token { word-break: break-all; }
#cards { list-style: none; padding: 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .6rem .8rem; margin: .5rem 0; }
.card.chosen { border-color: #1f883d; box-shadow: 0 0 0 1px #1f883d; }
.card img { width: 20px; height: 20px; vertical-align: middle; margin-right: .4rem; }
.card .amount { font-weight: 600; float: right; }
)";

std::string describe_state(code_state s, const std::optional<state::code_record>& record, std::int64_t now_ms) {
  switch (s) {
    case code_state::issued: {
      const std::int64_t left_s = (record->expires_at_ms - now_ms + 999) / 1000;
      return "valid, expires in " + std::to_string(left_s) + " s";
    }
    case code_state::redeemed:
      return "already used (redeemed " + std::to_string((now_ms - *record->redeemed_at_ms) / 1000) + " s ago)";
    case code_state::expired:
      return "expired " + std::to_string((now_ms - record->expires_at_ms) / 1000) + " s ago";
    case code_state::unknown: return "unknown: authsim never issued this code, or forgot it (restart, reset, or long expired)";
  }
  return "";
}

std::string page(std::string_view title, std::string_view body) {
  std::string out;
  out.reserve(4096);
  out += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // No icon: the browser would otherwise ask for /favicon.ico, which
  // authsim does not serve.
  out += "<link rel=\"icon\" href=\"data:,\">\n<title>";
  out += html_escape(title);
  out += "</title>\n<style>";
  out += style;
  out += "</style>\n</head>\n<body>\n";
  out += body;
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace

code_state state_of(const std::optional<state::code_record>& record, std::int64_t now_ms) {
  if (!record) {
    return code_state::unknown;
  }
  switch (state::status_of(*record, now_ms)) {
    case state::code_status::issued: return code_state::issued;
    case state::code_status::redeemed: return code_state::redeemed;
    case state::code_status::expired: return code_state::expired;
  }
  return code_state::unknown;
}

const char* code_state_name(code_state s) {
  switch (s) {
    case code_state::issued: return state::code_status_name(state::code_status::issued);
    case code_state::redeemed: return state::code_status_name(state::code_status::redeemed);
    case code_state::expired: return state::code_status_name(state::code_status::expired);
    case code_state::unknown: return "unknown";
  }
  return "unknown";
}


std::string render_cashier_page(std::string_view ident_code, const std::optional<state::code_record>& record,
                                const fixtures::platform* platform, std::int64_t now_ms, std::string_view nonce) {
  const code_state s = state_of(record, now_ms);
  std::string body;
  body += "<h1>Credit Pay cashier <small class=\"note\">(simulated by authsim)</small></h1>\n";
  body += "<p class=\"note\">The upstream sends the user's browser here with the one-time code. Its front end "
          "logs in with the code; the button below does the same call: <code>POST ";
  body += redirect_path;
  body += "</code>.</p>\n<dl>\n";
  body += "<dt>Code</dt><dd id=\"ident-code\">" + html_escape(ident_code) + "</dd>\n";
  if (record) {
    const std::string platform_text =
        platform != nullptr && !platform->name.empty() ? platform->name + " (" + record->plat_id + ")" : record->plat_id;
    body += "<dt>Platform</dt><dd id=\"platform\">" + html_escape(platform_text) + "</dd>\n";
    body += "<dt>User (custom_no)</dt><dd id=\"custom-no\">" + html_escape(record->custom_no) + "</dd>\n";
  }
  body += "<dt>State</dt><dd id=\"state\" class=\"state state-" + std::string(code_state_name(s)) +
          "\" data-state=\"" + code_state_name(s) + "\">" + html_escape(describe_state(s, record, now_ms)) +
          "</dd>\n</dl>\n";
  // The button stays usable whatever the state: redeeming a used or
  // expired code shows the upstream's error, which is worth seeing too.
  body += "<p><button id=\"login\" type=\"button\" data-code=\"" + html_escape(ident_code) +
          "\">Log in with this code</button></p>\n";
  body += "<div id=\"outcome\" hidden>\n<p><strong id=\"outcome-title\"></strong></p>\n";
  body += "<p id=\"token-row\" hidden>Open token: <code id=\"open-token\"></code></p>\n";
  body += "<pre id=\"answer\"></pre>\n</div>\n";
  // Filled after a login from POST /dg/v1/cashier/fetch_data, as the
  // upstream cashier shows the user's credit.
  body += "<section id=\"credit\" hidden>\n<h2>Credit</h2>\n<p class=\"note\">From <code>POST ";
  body += fetch_data_path;
  body += "</code>: the identify request's credit data, or the platform's credit-limit endpoint. The chosen card "
          "is the one whose tag is <code>tag</code>; each card's <code>input</code> is the platform's HTML.</p>\n";
  body += "<ul id=\"cards\"></ul>\n<p id=\"cards-error\" hidden></p>\n</section>\n";
  // A payment, as the user would make it here; authsim plays its outcome
  // out as webhook events (POST /__admin/payments).
  body += "<section id=\"pay\" hidden>\n<h2>Pay</h2>\n<p class=\"note\">Each button starts a payment with that "
          "outcome (<code>POST /__admin/payments</code>); its events go to the platform's webhook as the simulated "
          "clock reaches them (see <code>GET /__admin/webhooks</code>).</p>\n";
  body += "<p><label>Amount <input id=\"amount\" value=\"12.30\" size=\"10\"></label></p>\n<p>";
  for (const char* outcome : {"paid", "unpaid", "assign_failed", "barcode_failed"}) {
    body += std::string("<button type=\"button\" class=\"pay\" data-outcome=\"") + outcome + "\">" + outcome +
            "</button> ";
  }
  body += "</p>\n<div id=\"payment\" hidden>\n<p><strong id=\"payment-title\"></strong></p>\n"
          "<ol id=\"payment-events\"></ol>\n</div>\n</section>\n";
  body += "<script nonce=\"" + html_escape(nonce) + "\">\n";
  body += R"JS((() => {
  const button = document.getElementById('login');
  const show = (title, answer, token) => {
    document.getElementById('outcome-title').textContent = title;
    document.getElementById('answer').textContent = answer;
    document.getElementById('token-row').hidden = !token;
    document.getElementById('open-token').textContent = token || '';
    document.getElementById('outcome').hidden = false;
  };
  // The cashier's data for the open token: the cards, or why there are none.
  const showCredit = async (token, trace) => {
    const section = document.getElementById('credit');
    const list = document.getElementById('cards');
    const error = document.getElementById('cards-error');
    list.replaceChildren();
    error.hidden = true;
    section.hidden = false;
    let res, answer = null;
    try {
      res = await fetch(')JS";
  body += fetch_data_path;
  body += R"JS(', { method: 'POST', headers: { 'authorization': token, 'trace': trace } });
      answer = JSON.parse(await res.text());
    } catch (e) {
      error.textContent = 'The cashier data could not be loaded: ' + e;
      error.hidden = false;
      return;
    }
    if (!answer || answer.code !== 0 || !answer.data) {
      error.textContent = 'No cards (HTTP ' + res.status + ', code ' + (answer && answer.code) + '): ' + (answer && answer.msg);
      error.hidden = false;
      return;
    }
    for (const card of answer.data.available_cards || []) {
      const item = document.createElement('li');
      item.className = 'card' + (card.tag === answer.data.tag ? ' chosen' : '');
      item.dataset.tag = card.tag;
      const icon = document.createElement('img');
      icon.src = card.icon;
      icon.alt = '';
      const tag = document.createElement('span');
      tag.className = 'tag';
      tag.textContent = card.tag;
      const amount = document.createElement('span');
      amount.className = 'amount';
      amount.textContent = card.amount + ' ' + card.currency;
      // The platform's HTML, as the upstream cashier shows it; the page's
      // Content-Security-Policy keeps any script in it from running.
      const input = document.createElement('div');
      input.className = 'card-input';
      input.innerHTML = card.input;
      item.append(icon, tag, amount, input);
      list.append(item);
    }
  };
  // Starts a payment with the outcome of the button pressed.
  for (const payButton of document.querySelectorAll('button.pay')) {
    payButton.addEventListener('click', async () => {
      const title = document.getElementById('payment-title');
      const list = document.getElementById('payment-events');
      list.replaceChildren();
      document.getElementById('payment').hidden = false;
      let res, answer = null;
      try {
        res = await fetch('/__admin/payments', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            ident_code: button.dataset.code,
            outcome: payButton.dataset.outcome,
            amount: document.getElementById('amount').value,
          }),
        });
        answer = JSON.parse(await res.text());
      } catch (e) {
        title.textContent = 'The payment could not be started: ' + e;
        return;
      }
      if (res.status !== 201 || !answer.payment_id) {
        title.textContent = 'Refused (HTTP ' + res.status + '): ' + (answer && answer.error ? answer.error.message : '');
        return;
      }
      title.textContent = 'Payment ' + answer.payment_id + ' (' + answer.outcome + '), order ' + answer.order_no;
      title.dataset.paymentId = answer.payment_id;
      for (const e of answer.events) {
        const item = document.createElement('li');
        item.className = 'event';
        item.dataset.type = e.type;
        item.textContent = e.type + ' at +' + ((e.due_ms - answer.started_ms) / 1000) + ' s';
        list.append(item);
      }
    });
  }
  button.addEventListener('click', async () => {
    button.disabled = true;
    const trace = 'cashier-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
    try {
      const res = await fetch(')JS";
  body += redirect_path;
  body += R"JS(', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'trace': trace },
        body: JSON.stringify({ ident_code: button.dataset.code }),
      });
      const text = await res.text();
      let answer = null;
      try { answer = JSON.parse(text); } catch (e) { answer = null; }
      const pretty = answer ? JSON.stringify(answer, null, 2) : text;
      if (answer && answer.code === 0 && answer.data && answer.data.open_token) {
        show('Logged in: the code was redeemed.', pretty, answer.data.open_token);
        const state = document.getElementById('state');
        state.textContent = 'used just now';
        state.dataset.state = 'redeemed';
        state.className = 'state state-redeemed';
        await showCredit(answer.data.open_token, trace);
        document.getElementById('pay').hidden = false;
      } else {
        show('Refused (HTTP ' + res.status + (answer ? ', code ' + answer.code : '') + ')', pretty, '');
        document.getElementById('credit').hidden = true;
      }
    } catch (e) {
      show('The request failed: ' + e, '', '');
    } finally {
      button.disabled = false;
    }
  });
})();
)JS";
  body += "</script>\n";
  return page("authsim cashier", body);
}

std::string render_cashier_missing_code() {
  std::string body = "<h1>Credit Pay cashier <small class=\"note\">(simulated by authsim)</small></h1>\n";
  body += "<p id=\"error\">This page needs the one-time code in its query: <code>";
  body += cashier_path;
  body += "?ident_code=CODE</code>. Issued codes carry the whole address in <code>data.url</code>.</p>\n";
  return page("authsim cashier: no code", body);
}

}  // namespace authsim::creditpay
