#pragma once
// The two kinds of connection a session serves: plain TCP, and TLS over TCP
// when --tls-cert and --tls-key are given. Timeouts and the socket always
// live on the lowest layer (beast::get_lowest_layer).

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace authsim::transport {

using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

}  // namespace authsim::transport
