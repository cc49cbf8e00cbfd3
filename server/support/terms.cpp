#include "support/terms.hpp"

#include "support/text.hpp"

#include <array>
#include <utility>

namespace authsim::support {

namespace {

// Marks a term: a control character no caller's text carries into an
// argument (they are shown escaped or excerpted).
constexpr char marker = '\x1f';
// Between the two languages of a pair made by both().
constexpr char separator = '\x1e';

struct entry {
  std::string_view en;
  std::string_view zh;
};

// JSON kinds (json_kind_name), what fields should be, and the reasons
// Boost.JSON's parser gives (boost/json/impl/error.ipp) plus authsim's own.
constexpr std::array table{
    entry{"null", "空值"},
    entry{"a boolean", "布尔值"},
    entry{"an integer", "整数"},
    entry{"a number with a fraction or exponent", "带小数或指数的数字"},
    entry{"a string", "字符串"},
    entry{"an array", "数组"},
    entry{"an object", "对象"},
    entry{"an unknown value", "未知的值"},
    entry{"a string or a number", "字符串或数字"},
    entry{"an array of cards", "卡片数组"},
    entry{"an integer (13-digit milliseconds)", "整数（13 位毫秒时间戳）"},
    entry{"an integer (Int)", "整数"},
    entry{"a number (Double)", "数字"},
    entry{"a string (String)", "字符串"},
    entry{"syntax error", "语法错误"},
    entry{"extra data", "结尾有多余内容"},
    entry{"incomplete JSON", "JSON 不完整"},
    entry{"exponent overflow", "指数溢出"},
    entry{"too deep", "嵌套过深"},
    entry{"illegal leading surrogate", "非法的高位代理项"},
    entry{"illegal trailing surrogate", "非法的低位代理项"},
    entry{"expected hex digit", "此处应为十六进制数字"},
    entry{"expected utf16 escape", "此处应为 UTF-16 转义序列"},
    entry{"object too large", "对象过大"},
    entry{"array too large", "数组过大"},
    entry{"key too large", "键过长"},
    entry{"string too large", "字符串过长"},
    entry{"input error", "输入错误"},
    // Why an open token is not a JWT of this server (support/jwt.cpp).
    entry{"not three parts separated by dots", "不是用点分隔的三段"},
    entry{"the header is not base64url", "头部不是 base64url 编码"},
    entry{"the claims are not base64url", "声明部分不是 base64url 编码"},
    entry{"the signature is not base64url", "签名部分不是 base64url 编码"},
    entry{"the header is not a JSON object", "头部不是 JSON 对象"},
    entry{"the header's alg is not HS256", "头部的 'alg' 不是 'HS256'"},
    entry{"the claims are not a JSON object", "声明部分不是 JSON 对象"},
    entry{"got exception", "解析时出现异常"},
    entry{"invalid UTF-8", "不是合法的 UTF-8"},
};

std::string_view unmarked(std::string_view s) {
  if (!s.empty() && s.front() == marker) {
    s.remove_prefix(1);
  }
  return s;
}

}  // namespace

std::string term(std::string_view english) {
  std::string out;
  out.reserve(english.size() + 1);
  out += marker;
  out += english;
  return out;
}

std::string both(std::string_view english, std::string_view chinese) {
  std::string out;
  out.reserve(english.size() + chinese.size() + 2);
  out += marker;
  out += english;
  out += separator;
  out += chinese;
  return out;
}

std::string zh_term(std::string_view english) {
  const std::string_view word = unmarked(english);
  if (const std::size_t at = word.find(separator); at != std::string_view::npos) {
    return std::string(word.substr(at + 1));
  }
  for (const entry& e : table) {
    if (e.en == word) {
      return std::string(e.zh);
    }
  }
  return std::string(word);
}

std::string substitute_terms(std::string_view pattern, std::span<const std::string> args, bool chinese) {
  // substitute() itself shows a marked term in English; in Chinese the
  // terms are translated first.
  std::vector<std::string_view> views(args.begin(), args.end());
  std::vector<std::string> translated;
  if (chinese) {
    translated.reserve(args.size());  // no reallocation: the views stay valid
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (!args[i].empty() && args[i].front() == marker) {
        views[i] = translated.emplace_back(zh_term(args[i]));
      }
    }
  }
  return substitute(pattern, views);
}

std::vector<std::string_view> known_terms() {
  std::vector<std::string_view> out;
  for (const entry& e : table) {
    out.push_back(e.en);
  }
  return out;
}

}  // namespace authsim::support
