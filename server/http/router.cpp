#include "http/router.hpp"

#include "support/text.hpp"

#include <algorithm>
#include <exception>

namespace authsim::http {

namespace {

struct failure_entry {
  failure_kind kind;
  unsigned status;
  const char* name;
  const char* en;  // {0}: the detail, {1}: the request method
  const char* zh;
};

const failure_entry failure_table[] = {
    {failure_kind::not_found, 404, "NOT_FOUND", "no endpoint at path '{0}'", "路径 '{0}' 不存在接口"},
    {failure_kind::method_not_allowed, 405, "METHOD_NOT_ALLOWED",
     "method {1} is not allowed on this path; allowed: {0}", "此路径不支持 {1} 方法；允许的方法：{0}"},
    {failure_kind::body_too_large, 413, "BODY_TOO_LARGE", "request body too large: the limit is {0} bytes",
     "请求体过大：上限为 {0} 字节"},
    {failure_kind::header_too_large, 431, "HEADER_TOO_LARGE",
     "request header block too large: the limit is {0} bytes", "请求头过大：上限为 {0} 字节"},
    {failure_kind::bad_request, 400, "BAD_REQUEST", "malformed HTTP request: {0}", "HTTP 请求格式错误：{0}"},
    {failure_kind::unknown_scenario, 400, "UNKNOWN_SCENARIO",
     "header X-Authsim-Scenario names no loaded scenario: {0}", "请求头 X-Authsim-Scenario 指定的场景不存在：{0}"},
    {failure_kind::rate_limited, 429, "RATE_LIMITED", "rate limit exceeded: {0}", "超出调用频率限制：{0}"},
    {failure_kind::state_unavailable, 503, "STATE_UNAVAILABLE",
     "the state backend is unavailable, try again shortly: {0}", "状态存储暂时不可用，请稍后重试：{0}"},
    {failure_kind::internal, 500, "INTERNAL_ERROR", "internal error in authsim: {0}", "authsim 内部错误：{0}"},
};

}  // namespace

failure make_failure(failure_kind kind, std::string_view detail, std::string_view method) {
  const failure_entry* entry = &failure_table[std::size(failure_table) - 1];
  for (const auto& e : failure_table) {
    if (e.kind == kind) {
      entry = &e;
    }
  }
  const std::string m = support::excerpt(method, 20);
  failure f;
  f.kind = entry->kind;
  f.status = entry->status;
  f.name = entry->name;
  f.message = {support::substitute(entry->en, {detail, m}), support::substitute(entry->zh, {detail, m})};
  if (kind == failure_kind::method_not_allowed) {
    f.allow = std::string(detail);
  }
  return f;
}

router::router(failure_renderer fallback) : fallback_(std::move(fallback)) {}

void router::add_family(std::string prefix, failure_renderer renderer) {
  families_.push_back({std::move(prefix), std::move(renderer)});
}

void router::add_route(std::string method, std::string path, handler h) {
  routes_.push_back({std::move(method), std::move(path), std::move(h), {}, false, false});
}

void router::add_async_route(std::string method, std::string path, async_handler h) {
  routes_.push_back({std::move(method), std::move(path), {}, std::move(h), false, false});
}

void router::add_prefix_route(std::string method, std::string prefix, handler h) {
  routes_.push_back({std::move(method), std::move(prefix), std::move(h), {}, true, false});
}

void router::add_async_prefix_route(std::string method, std::string prefix, async_handler h) {
  routes_.push_back({std::move(method), std::move(prefix), {}, std::move(h), true, false});
}

void router::add_async_template_route(std::string method, std::string path_template, async_handler h) {
  routes_.push_back({std::move(method), std::move(path_template), {}, std::move(h), false, true});
}

namespace {

// The next segment of `path` after position `at` (which is at a '/'), and
// moves `at` past it.
std::string_view next_segment(std::string_view path, std::size_t& at) {
  const std::size_t start = at + 1;
  const std::size_t end = std::min(path.find('/', start), path.size());
  at = end;
  return path.substr(start, end - start);
}

}  // namespace

bool template_matches(std::string_view path_template, std::string_view path) {
  if (path_template.empty() || path.empty() || path_template.front() != '/' || path.front() != '/') {
    return path_template == path;
  }
  std::size_t t = 0;
  std::size_t p = 0;
  while (t < path_template.size() && p < path.size()) {
    const std::string_view want = next_segment(path_template, t);
    const std::string_view got = next_segment(path, p);
    const bool wildcard = want.size() >= 2 && want.front() == '{' && want.back() == '}';
    if (wildcard ? got.empty() : want != got) {
      return false;
    }
  }
  return t >= path_template.size() && p >= path.size();
}

std::string_view template_segment(std::string_view path_template, std::string_view path, std::size_t index) {
  if (!template_matches(path_template, path)) {
    return {};
  }
  std::size_t t = 0;
  std::size_t p = 0;
  std::size_t seen = 0;
  while (t < path_template.size()) {
    const std::string_view want = next_segment(path_template, t);
    const std::string_view got = next_segment(path, p);
    if (want.size() >= 2 && want.front() == '{' && want.back() == '}') {
      if (seen++ == index) {
        return got;
      }
    }
  }
  return {};
}

bool router::knows(std::string_view path) const {
  for (const auto& r : routes_) {
    if (r.serves(path)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> router::paths() const {
  std::vector<std::string> out;
  for (const auto& r : routes_) {
    if (!r.prefix && !r.templated && std::find(out.begin(), out.end(), r.path) == out.end()) {
      out.push_back(r.path);
    }
  }
  return out;
}

const failure_renderer& router::renderer_for(std::string_view path) const {
  const family* best = nullptr;
  for (const auto& f : families_) {
    if (path.starts_with(f.prefix) && (best == nullptr || f.prefix.size() > best->prefix.size())) {
      best = &f;
    }
  }
  return best != nullptr ? best->renderer : fallback_;
}

response router::error(const request& req, const failure& f) const {
  // The renderer sets the status (the failure's, or its own when it
  // refuses to say more, as the admin family does without its token).
  response res = renderer_for(req.path())(req, f);
  if (!f.allow.empty()) {
    res.headers.set("Allow", f.allow);
  }
  return res;
}

router::match_result router::match(const request& req) const {
  const std::string_view path = req.path();
  // Exact routes first; prefix routes only for a path no exact route serves.
  for (const bool prefix : {false, true}) {
    std::string allow;
    for (const auto& r : routes_) {
      if (r.prefix != prefix || !r.serves(path)) {
        continue;
      }
      // HEAD is answered wherever GET is (RFC 9110 section 9.3.2); the
      // transport leaves the body out.
      if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
        return r.async ? match_result{nullptr, &r.async, std::nullopt, true}
                       : match_result{&r.sync, nullptr, std::nullopt, true};
      }
      allow += allow.empty() ? "" : ", ";
      allow += r.method;
      if (r.method == "GET") {
        allow += ", HEAD";
      }
    }
    if (!allow.empty()) {
      return {nullptr, nullptr, error(req, failure_kind::method_not_allowed, allow), true};
    }
  }
  return {nullptr, nullptr, error(req, failure_kind::not_found, support::excerpt(path)), false};
}

response router::run(const handler& h, const request& req) const {
  try {
    return h(req);
  } catch (const std::exception& e) {
    return error(req, failure_kind::internal, e.what());
  }
}

net::awaitable<response> router::run(const async_handler& h, const request& req) const {
  // The answer to a throw is made outside the handler: a coroutine cannot
  // co_return from its catch block.
  std::string bug;
  try {
    co_return co_await h(req);
  } catch (const std::exception& e) {
    bug = e.what();
  }
  co_return error(req, failure_kind::internal, bug);
}

net::awaitable<response> router::dispatch(const request& req) const {
  match_result m = match(req);
  if (m.refusal) {
    co_return std::move(*m.refusal);
  }
  if (m.sync != nullptr) {
    co_return run(*m.sync, req);
  }
  co_return co_await run(*m.async, req);
}

}  // namespace authsim::http
