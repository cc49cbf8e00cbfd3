#include "creditpay/cashier_page.hpp"

#include <doctest/doctest.h>

using namespace authsim;
using namespace authsim::creditpay;

namespace {

state::code_record record_of(std::string custom_no) {
  state::code_record r;
  r.ident_code = "c0de";
  r.plat_id = "plat-1";
  r.custom_no = std::move(custom_no);
  r.issued_at_ms = 1000;
  r.expires_at_ms = 301'000;
  return r;
}

}  // namespace

TEST_CASE("a code's state: issued until it expires, then expired, redeemed once used, unknown when absent") {
  auto r = record_of("u1");
  CHECK(state_of(r, 1000) == code_state::issued);
  CHECK(state_of(r, 301'000) == code_state::expired);
  r.redeemed_at_ms = 2000;
  CHECK(state_of(r, 3000) == code_state::redeemed);
  CHECK(state_of(std::nullopt, 3000) == code_state::unknown);
}

TEST_CASE("the page escapes what the client chose: the code in the query and custom_no") {
  const std::string page =
      render_cashier_page("<script>alert(1)</script>", record_of("\"><img src=x onerror=alert(1)>"), nullptr, 1000, "n0");
  CHECK(page.find("<script>alert(1)") == std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("&quot;&gt;&lt;img") != std::string::npos);
}

TEST_CASE("the page names the platform and the state, and its script carries the nonce") {
  fixtures::platform p;
  p.plat_id = "plat-1";
  p.name = "Demo";
  const std::string page = render_cashier_page("c0de", record_of("u1"), &p, 1000, "abc123");
  CHECK(page.find("Demo (plat-1)") != std::string::npos);
  CHECK(page.find("data-state=\"issued\"") != std::string::npos);
  CHECK(page.find("expires in 300 s") != std::string::npos);
  CHECK(page.find("<script nonce=\"abc123\">") != std::string::npos);
  CHECK(page.find("/dg/v1/identify/redirect") != std::string::npos);
}

TEST_CASE("html_escape covers the five characters and repairs bad UTF-8") {
  CHECK(html_escape(R"(<a href="x">'&'</a>)") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(html_escape(std::string("\xff", 1)).find('\xff') == std::string::npos);
}
