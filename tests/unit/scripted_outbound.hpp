#pragma once
// An outbound client for tests without a network: it records each request
// and hands back the answers a test queued, in order. With nothing queued
// a call fails as a refused connection would.

#include "outbound/client.hpp"

#include <deque>
#include <mutex>
#include <vector>

namespace authsim::testing {

class scripted_outbound final : public outbound::client {
 public:
  void queue(outbound::answer a) {
    const std::lock_guard lock(mutex_);
    answers_.push_back(std::move(a));
  }
  // An HTTP answer with `status` and `body`.
  void queue(unsigned status, std::string body) {
    outbound::answer a;
    a.status = status;
    a.body = std::move(body);
    queue(std::move(a));
  }
  [[nodiscard]] std::vector<outbound::request> sent() const {
    const std::lock_guard lock(mutex_);
    return sent_;
  }

  net::awaitable<outbound::answer> async_post(const outbound::request& r) override {
    outbound::answer a;
    {
      const std::lock_guard lock(mutex_);
      sent_.push_back(r);
      if (answers_.empty()) {
        a.error = outbound::failure::connect;
        a.detail = "cannot connect: no answer queued";
      } else {
        a = std::move(answers_.front());
        answers_.pop_front();
      }
    }
    co_return a;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<outbound::request> sent_;
  std::deque<outbound::answer> answers_;
};

}  // namespace authsim::testing
