// TTL parsing and expiry stamps (guide 5.5: annotation ttl).

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/ttl.hpp"

#include <catch2/catch.hpp>

using namespace ahvn;
using namespace std::chrono_literals;

TEST_CASE("ttl text and numbers", "[ttl]") {
  CHECK(parse_ttl(30) == 30s);
  CHECK(parse_ttl(1.5) == 1500ms);
  CHECK(parse_ttl("250ms") == 250ms);
  CHECK(parse_ttl("30s") == 30s);
  CHECK(parse_ttl("15m") == 15min);
  CHECK(parse_ttl("1h") == 1h);
  CHECK(parse_ttl("2d") == 48h);
  CHECK(parse_ttl("1.5h") == 90min);
  CHECK(parse_ttl("45") == 45s);
  for (json bad :
       {json("1w"), json("h"), json(""), json(-1), json("-5s"), json(true), json::array()}) {
    try {
      parse_ttl(bad);
      FAIL("no error for " << bad);
    } catch (const cache_error& e) {
      CHECK(e.code() == errc::invalid_argument);
      CHECK_THAT(e.what(), Catch::Contains(bad.dump()));
    }
  }
}

TEST_CASE("an entry's ttl becomes an expiry when stored", "[ttl]") {
  manual_clock clk;
  auto e = cache_entry::from_args("f", {{"x", 1}}, 1, std::nullopt,
                                  {{"annotation", {{"priority", "high"}, {"ttl", "1h"}}}});
  CHECK(requested_ttl(e) == 1h);
  CHECK_FALSE(expires_at(e));
  CHECK(stamp_expiry(e, clk.now()));
  CHECK(expires_at(e) == clk.now() + 1h);
  CHECK_FALSE(stamp_expiry(e, clk.now() + 5h)); // an existing expiry stays
  CHECK_FALSE(expired(e, clk.now()));
  clk.advance(1h);
  CHECK(expired(e, clk.now()));
  auto plain = cache_entry::from_args("f", {{"x", 1}}, 1);
  CHECK_FALSE(stamp_expiry(plain, clk.now()));
  CHECK_FALSE(expired(plain, clk.now()));
  // metadata.ttl takes precedence over the annotation's.
  auto both = cache_entry::from_args("f", {{"x", 1}}, 1, std::nullopt,
                                     {{"ttl", 10}, {"annotation", {{"ttl", "1h"}}}});
  CHECK(requested_ttl(both) == 10s);
}
