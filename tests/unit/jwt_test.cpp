#include "support/jwt.hpp"

#include <doctest/doctest.h>

// Known answer built with the shell:
//   H=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
//   P=$(printf '%s' '{"sub":"x","iat":1}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
//   printf '%s' "$H.$P" | openssl dgst -sha256 -hmac secret -binary | base64 -w0 | tr '+/' '-_' | tr -d '='
TEST_CASE("an HS256 JWT matches one signed with openssl") {
  boost::json::object claims;
  claims["sub"] = "x";
  claims["iat"] = 1;
  CHECK(authsim::support::jwt_sign_hs256(claims, "secret") ==
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4IiwiaWF0IjoxfQ."
        "EL_pI1mpStKLknMR54yp_RE8Cj3j_MmxjP2J4KWAWts");
}
