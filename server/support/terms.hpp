#pragma once
// Words of authsim's own that go into a message as one of its arguments:
// what a field should be ("an integer (13-digit milliseconds)"), what it
// was ("an array"), why the JSON parser stopped ("syntax error"). A message
// in Chinese must say them in Chinese too, while the other arguments
// (field names, the client's values) stay as they are. So such a word is
// marked when it is made an argument, and the message's renderer shows it
// in the message's language.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace authsim::support {

// `english` marked as a term (it must be one of the table's, see
// terms.cpp; a word the table lacks is shown in English).
std::string term(std::string_view english);

// A description made on the spot (it holds a number, say) in both
// languages, marked as a term is.
std::string both(std::string_view english, std::string_view chinese);

// The Chinese for an English term (marked or not); a word the table lacks
// comes back as it is, unmarked.
std::string zh_term(std::string_view english);

// `pattern` with {0}, {1}... replaced by `args`, marked terms shown in
// Chinese when `chinese`, in English otherwise.
std::string substitute_terms(std::string_view pattern, std::span<const std::string> args, bool chinese);

// Every English term the table knows, for the tests.
std::vector<std::string_view> known_terms();

}  // namespace authsim::support
