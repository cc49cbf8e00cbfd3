#include "http/router.hpp"

#include "support/text.hpp"

#include <exception>

namespace authsim::http {

failure make_failure(failure_kind kind, std::string_view detail, std::string_view method) {
  const std::string d(detail);
  const std::string m = support::excerpt(method, 20);
  switch (kind) {
    case failure_kind::not_found:
      return {kind, 404,
              {support::substitute("no endpoint at path '{0}'", {d}),
               support::substitute("路径 '{0}' 不存在接口", {d})},
              {}};
    case failure_kind::method_not_allowed:
      return {kind, 405,
              {support::substitute("method {1} is not allowed on this path; allowed: {0}", {d, m}),
               support::substitute("此路径不支持 {1} 方法；允许的方法：{0}", {d, m})},
              d};
    case failure_kind::body_too_large:
      return {kind, 413,
              {support::substitute("request body too large: the limit is {0} bytes", {d}),
               support::substitute("请求体过大：上限为 {0} 字节", {d})},
              {}};
    case failure_kind::header_too_large:
      return {kind, 431,
              {support::substitute("request header block too large: the limit is {0} bytes", {d}),
               support::substitute("请求头过大：上限为 {0} 字节", {d})},
              {}};
    case failure_kind::bad_request:
      return {kind, 400,
              {support::substitute("malformed HTTP request: {0}", {d}),
               support::substitute("HTTP 请求格式错误：{0}", {d})},
              {}};
    case failure_kind::internal:
      break;
  }
  return {failure_kind::internal, 500,
          {support::substitute("internal error in authsim: {0}", {d}),
           support::substitute("authsim 内部错误：{0}", {d})},
          {}};
}

router::router(failure_renderer fallback) : fallback_(std::move(fallback)) {}

void router::add_family(std::string prefix, failure_renderer renderer) {
  families_.push_back({std::move(prefix), std::move(renderer)});
}

void router::add_route(std::string method, std::string path, handler h) {
  routes_.push_back({std::move(method), std::move(path), std::move(h)});
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
  response res = renderer_for(req.path())(req, f);
  res.status = f.status;
  if (!f.allow.empty()) {
    res.headers.set("Allow", f.allow);
  }
  return res;
}

response router::dispatch(const request& req) const {
  const std::string_view path = req.path();
  std::string allow;
  for (const auto& r : routes_) {
    if (r.path != path) {
      continue;
    }
    if (r.method == req.method) {
      try {
        return r.h(req);
      } catch (const std::exception& e) {
        return error(req, failure_kind::internal, e.what());
      }
    }
    allow += allow.empty() ? "" : ", ";
    allow += r.method;
  }
  if (allow.empty()) {
    return error(req, failure_kind::not_found, support::excerpt(path));
  }
  return error(req, failure_kind::method_not_allowed, allow);
}

}  // namespace authsim::http
