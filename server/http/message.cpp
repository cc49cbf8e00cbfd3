#include "http/message.hpp"

#include "support/text.hpp"

namespace authsim::http {

void header_list::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void header_list::set(std::string_view name, std::string value) {
  std::erase_if(fields_, [&](const auto& f) { return support::iequals(f.first, name); });
  fields_.emplace_back(std::string(name), std::move(value));
}

const std::string* header_list::find(std::string_view name) const {
  for (const auto& f : fields_) {
    if (support::iequals(f.first, name)) {
      return &f.second;
    }
  }
  return nullptr;
}

std::string_view request::path() const {
  const std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::optional<std::string> request::query_param(std::string_view name) const {
  const std::size_t q = target.find('?');
  if (q == std::string::npos) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(target).substr(q + 1);
  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    const std::string key = percent_decode(pair.substr(0, eq));
    if (key == name) {
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

language request_language(const request& req) {
  const std::string* lang = req.headers.find("lang");
  if (lang == nullptr) {
    return language::en_us;
  }
  const std::string lower = support::ascii_lower(*lang);
  return lower == "zh" || lower.starts_with("zh-") || lower.starts_with("zh_") ? language::zh_cn
                                                                                : language::en_us;
}

std::string percent_decode(std::string_view in) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2])));
      i += 2;
    } else if (in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

}  // namespace authsim::http
