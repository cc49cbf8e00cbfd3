#pragma once
// What the request pipeline needs to know of a state shared between
// replicas: whether this replica's view of the shared settings is current
// (refreshing it first when not), and the failure every store call throws
// when the shared state cannot answer in time. The memory state never
// throws it and needs no refresh.

#include "support/async.hpp"

#include <stdexcept>

namespace authsim::state {

// The state backend could not answer (not connected, or past its
// deadline). Thrown by store calls; the pipeline answers 503 with
// Retry-After in the API's envelope. An exception rather than a value:
// any store call of any handler may meet it, and the request is abandoned
// as a whole.
class unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class shared_view {
 public:
  shared_view() = default;
  shared_view(const shared_view&) = delete;
  shared_view& operator=(const shared_view&) = delete;
  virtual ~shared_view() = default;

  // Known current: no round trip needed before the request reads settings.
  [[nodiscard]] virtual bool fresh() const = 0;
  // Brings the view up to date (one round trip); throws unavailable.
  virtual net::awaitable<void> refresh() = 0;
};

}  // namespace authsim::state
