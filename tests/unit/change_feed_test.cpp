// The dashboard's change feed: cursors name this process and its count.
#include "admin/change_feed.hpp"

#include <doctest/doctest.h>

using authsim::admin::change_feed;

TEST_SUITE("change feed") {
  TEST_CASE("a cursor holds this process's count, and only this process's cursors are read") {
    change_feed feed;
    const std::string first = feed.cursor();
    CHECK(feed.count_of(first) == 0u);
    feed.bump();
    feed.bump();
    const std::string now = feed.cursor();
    CHECK(now != first);
    CHECK(feed.count_of(now) == 2u);
    const std::string instance = now.substr(0, now.find('-'));
    CHECK(instance.size() == 8);
    CHECK_FALSE(feed.count_of(instance).has_value());
    CHECK_FALSE(feed.count_of(instance + "-").has_value());
    CHECK_FALSE(feed.count_of(instance + "-2x").has_value());
    CHECK_FALSE(feed.count_of(instance + "-99999999999999999999999").has_value());
    CHECK_FALSE(feed.count_of("").has_value());
    // Another feed (another replica, another run) has its own name.
    change_feed other;
    CHECK_FALSE(feed.count_of(other.cursor()).has_value());
  }
}
