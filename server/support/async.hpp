#pragma once
// What the server's coroutines share: the awaitable type and the completion
// token with which every I/O step is awaited, so that its error comes back
// as a value (an error_code in a tuple), never as an exception.

#include "support/aliases.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

// A trap of g++ 12: a temporary of class type made inside a co_await
// expression (a braced argument, `T{}`, a conversion to a parameter's
// class type) may be destroyed twice, or its buffer freed from the
// coroutine frame. Name such arguments in a variable first:
//   const state::code_filter wanted{platform, custom_no};
//   co_await codes.async_list(wanted, limit, now);

namespace authsim {

inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
using error_code = boost::system::error_code;

}  // namespace authsim
