#include "state/credit_limit.hpp"

#include "support/aliases.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace authsim::state {

json::object to_json(const credit_limit& credit) {
  json::array cards;
  cards.reserve(credit.cards.size());
  for (const auto& card : credit.cards) {
    cards.push_back(json::object{{"tag", card.tag},
                                 {"amount", card.amount},
                                 {"currency", card.currency},
                                 {"icon", card.icon},
                                 {"input", card.input}});
  }
  return json::object{{"tag", credit.tag}, {"available_cards", std::move(cards)}};
}

std::string to_text(const credit_limit& credit) { return json::serialize(to_json(credit)); }

std::optional<credit_limit> credit_limit_from_text(std::string_view text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) {
    return std::nullopt;
  }
  const json::value* tag = o->if_contains("tag");
  const json::value* cards = o->if_contains("available_cards");
  if (tag == nullptr || !tag->is_string() || cards == nullptr || !cards->is_array()) {
    return std::nullopt;
  }
  credit_limit out;
  out.tag = tag->get_string();
  for (const json::value& item : cards->get_array()) {
    const json::object* c = item.if_object();
    if (c == nullptr) {
      return std::nullopt;
    }
    credit_card card;
    for (auto [name, field] : {std::pair{"tag", &card.tag}, std::pair{"amount", &card.amount},
                               std::pair{"currency", &card.currency}, std::pair{"icon", &card.icon},
                               std::pair{"input", &card.input}}) {
      const json::value* f = c->if_contains(name);
      if (f == nullptr || !f->is_string()) {
        return std::nullopt;
      }
      *field = f->get_string();
    }
    out.cards.push_back(std::move(card));
  }
  return out;
}

}  // namespace authsim::state
