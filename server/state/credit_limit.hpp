#pragma once
// The credit data a platform may hand over with an identify request, kept
// with the code it was issued with.

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authsim::state {

// One card of the credit data an identify request may carry
// (`credit_limit_available_cards`). `amount` keeps the decimals it came
// with, as text.
struct credit_card {
  std::string tag;
  std::string amount;
  std::string currency;
  std::string icon;
  std::string input;  // HTML the cashier shows

  bool operator==(const credit_card&) const = default;
};

// The credit data of an identify request: the card tag to use and the
// cards to choose from.
struct credit_limit {
  std::string tag;
  std::vector<credit_card> cards;

  bool operator==(const credit_limit&) const = default;
};

// {"tag": ..., "available_cards": [{"tag","amount","currency","icon","input"}]}:
// the shape the upstream uses for the cashier's data and the platform's
// answer alike.
boost::json::object to_json(const credit_limit& credit);
// The compact text of to_json, and back: how a store keeps credit data.
// from_text answers nullopt for text not in that shape.
std::string to_text(const credit_limit& credit);
std::optional<credit_limit> credit_limit_from_text(std::string_view text);

}  // namespace authsim::state
