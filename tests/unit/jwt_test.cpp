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

TEST_CASE("a JWT is verified: its form, its algorithm and its signature") {
  using authsim::support::jwt_problem;
  using authsim::support::jwt_verify_hs256;
  const std::string good =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4IiwiaWF0IjoxfQ.EL_pI1mpStKLknMR54yp_RE8Cj3j_MmxjP2J4KWAWts";
  const auto ok = jwt_verify_hs256(good, "secret");
  CHECK(ok.problem == jwt_problem::none);
  CHECK(ok.claims.at("sub").as_string() == "x");
  CHECK(jwt_verify_hs256(good, "other").problem == jwt_problem::bad_signature);
  // The signature's last character changed (to one without stray bits).
  CHECK(jwt_verify_hs256(good.substr(0, good.size() - 1) + "w", "secret").problem == jwt_problem::bad_signature);

  const auto malformed = [](const std::string& token) {
    const auto r = jwt_verify_hs256(token, "secret");
    CHECK(r.problem == jwt_problem::malformed);
    return r.detail;
  };
  CHECK(malformed("abc") == "not three parts separated by dots");
  CHECK(malformed("a.b.c.d") == "not three parts separated by dots");
  CHECK(malformed("e30=.e30.x") == "the header is not base64url");
  CHECK(malformed("e30.e30.x") == "the signature is not base64url");
  // {} as header: no alg.
  CHECK(malformed("e30.e30.AAAA") == "the header's alg is not HS256");
  // {"alg":"none"}: an unsigned token is refused, whatever its signature part.
  CHECK(malformed("eyJhbGciOiJub25lIn0.e30.") == "the header's alg is not HS256");
  // Claims that are not an object.
  CHECK(malformed("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.WzFd.AAAA") == "the claims are not a JSON object");
}
