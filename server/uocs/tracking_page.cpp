#include "uocs/tracking_page.hpp"

#include "support/text.hpp"

#include <vector>

namespace authsim::uocs {

namespace {

using support::html_escape;

const char* const style =
    "body{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:40rem;color:#222}"
    "h1{font-size:1.3rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}"
    "dt{color:#666}ol{list-style:none;padding:0}li{padding:.5rem 0 .5rem 1.2rem;border-left:3px solid #ccc;"
    "margin-left:.4rem}li.done{border-color:#2a7}li.now{border-color:#2a7;font-weight:600}"
    "li.next{color:#888}li.bad{border-color:#c33;color:#c33}.status{font-size:1.1rem;font-weight:600}"
    "small{color:#666}";

std::string page(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" + html_escape(title) + "</title><style>" + style + "</style></head>\n<body>\n" + body +
         "</body></html>\n";
}

}  // namespace

std::string render_tracking_page(std::string_view fy_code, const std::optional<waybill>& w,
                                 const fixtures::fixture_set& world, std::int64_t now_ms) {
  if (!w) {
    return page("运单不存在 / Unknown waybill",
                "<h1>运单不存在 / Unknown waybill</h1>\n<p id=\"unknown\">fyCode <code>" + html_escape(fy_code) +
                    "</code>: 没有该运单 / no such waybill (never created, or forgotten after a reset).</p>\n");
  }
  const int offset = world.uocs.date_utc_offset_minutes;
  auto when = [offset](std::int64_t ms) { return support::format_date_time(ms, offset); };
  const int status = w->status_at(now_ms);
  auto station = [&](const std::string& code) {
    const fixtures::uocs_station* s = world.find_station(code);
    return html_escape(s != nullptr ? s->name + " (" + code + ")" : code);
  };

  std::string body = "<h1>无人机运单 / Drone waybill " + html_escape(w->fy_code) + "</h1>\n";
  body += "<p class=\"status\" id=\"status\" data-status=\"" + std::to_string(status) + "\">" +
          order_status_name_zh(status) + " / " + order_status_name(status) + "</p>\n";
  if (status == status_exception) {
    body += "<p id=\"exception\">" + html_escape(w->exception_reason) + "</p>\n";
  }
  body += "<dl>\n<dt>客户单号 / bizCode</dt><dd id=\"biz-code\">" + html_escape(w->request.biz_code) + "</dd>\n";
  body += "<dt>起飞航站 / From</dt><dd id=\"from\">" + station(w->takeoff_code()) + "</dd>\n";
  body += "<dt>降落航站 / To</dt><dd id=\"to\">" + station(w->landing_code()) + "</dd>\n";
  body += "<dt>预计飞行 / Flight</dt><dd>" + std::to_string(w->flight_minutes) + " min</dd>\n";
  if (w->reached_by(1, now_ms)) {
    body += "<dt>无人机 / Drone</dt><dd id=\"uav\">" + html_escape(w->uav_id) + "</dd>\n";
  }
  body += "</dl>\n<ol id=\"timeline\">\n";
  struct step {
    int status;
    std::optional<std::int64_t> at;
  };
  std::vector<step> steps{{0, w->created_ms}};
  for (int k = 1; k <= 4; ++k) {
    steps.push_back({k, w->step(k)});
  }
  for (const step& s : steps) {
    const bool happened = s.at && *s.at <= now_ms;
    if (!happened && status == status_exception) {
      continue;
    }
    const char* cls = !happened ? "next" : s.status == status ? "now" : "done";
    body += "<li class=\"" + std::string(cls) + "\" data-status=\"" + std::to_string(s.status) + "\">" +
            order_status_name_zh(s.status) + " / " + order_status_name(s.status) + "<br><small>" +
            (happened ? when(*s.at) : s.at ? "预计 / expected " + when(*s.at) : std::string("-")) +
            "</small></li>\n";
  }
  if (status == status_exception) {
    body += "<li class=\"bad\" data-status=\"5\">" + std::string(order_status_name_zh(5)) + " / " +
            order_status_name(5) + "<br><small>" + when(*w->exception_ms) + "</small></li>\n";
  }
  body += "</ol>\n<p><small>authsim: 模拟时间 / simulated time " + when(now_ms) + "</small></p>\n";
  return page("运单 " + w->fy_code, body);
}

}  // namespace authsim::uocs
