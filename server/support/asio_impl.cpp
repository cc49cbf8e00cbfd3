// The one translation unit that compiles Asio (with its TLS layer) and Beast. Every other source
// includes their headers with BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION defined, so the heavy implementation is
// built once instead of in every file that does I/O.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
