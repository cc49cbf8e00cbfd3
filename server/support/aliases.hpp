#pragma once
// The namespace aliases of the whole project, declared once: `net` for
// Asio, `beast` and `bhttp` for Beast and its HTTP part, `json` for
// Boost.JSON. Including this costs nothing: it only names the namespaces.

namespace boost::asio {}
namespace boost::beast::http {}
namespace boost::json {}

namespace authsim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;

}  // namespace authsim
