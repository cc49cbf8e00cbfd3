#include "admin/dashboard.hpp"

#include "admin/ui_assets.hpp"
#include "support/crypto.hpp"

namespace authsim::admin {

namespace {

// The markers of dashboard.html that the style and the script replace.
constexpr std::string_view style_marker = "<!--authsim:style-->";
constexpr std::string_view script_marker = "<!--authsim:script-->";

struct page_parts {
  std::string_view before_style, between, after_script;
};

page_parts split_template() {
  const std::string_view html = ui_assets::dashboard_html;
  const std::size_t style_at = html.find(style_marker);
  const std::size_t script_at = html.find(script_marker);
  // The build checks the markers (embed_assets.cmake), so this holds.
  if (style_at == std::string_view::npos || script_at == std::string_view::npos || script_at < style_at) {
    return {html, {}, {}};
  }
  return {html.substr(0, style_at), html.substr(style_at + style_marker.size(), script_at - style_at - style_marker.size()),
          html.substr(script_at + script_marker.size())};
}

}  // namespace

std::string render_dashboard(std::string_view nonce) {
  static const page_parts parts = split_template();
  std::string out;
  out.reserve(ui_assets::dashboard_html.size() + ui_assets::dashboard_css.size() + ui_assets::dashboard_js.size() +
              128);
  out += parts.before_style;
  out += "<style nonce=\"";
  out += nonce;
  out += "\">\n";
  out += ui_assets::dashboard_css;
  out += "</style>";
  out += parts.between;
  out += "<script nonce=\"";
  out += nonce;
  out += "\">\n";
  out += ui_assets::dashboard_js;
  out += "</script>";
  out += parts.after_script;
  return out;
}

void register_dashboard(http::router& r, const access_guard& guard) {
  r.add_route("GET", dashboard_path, [&guard](const http::request& req) {
    if (!guard.token_required()) {
      if (auto refusal = guard.refuse(req)) {
        return std::move(*refusal);
      }
    }
    // The style and the script run by nonce; the page may only talk to
    // authsim itself, and may not be framed.
    const std::string nonce = support::random_hex(16);
    http::response res;
    res.status = 200;
    res.headers.set("Content-Type", "text/html; charset=utf-8");
    res.headers.set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce +
                                                   "'; style-src 'nonce-" + nonce +
                                                   "'; connect-src 'self'; img-src data:; base-uri 'none'; "
                                                   "form-action 'none'; frame-ancestors 'none'");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("Referrer-Policy", "no-referrer");
    res.headers.set("X-Content-Type-Options", "nosniff");
    res.body = render_dashboard(nonce);
    return res;
  });
}

}  // namespace authsim::admin
