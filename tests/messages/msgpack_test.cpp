// The MessagePack reader against what nlohmann's writer produces.

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/msgpack.hpp"

#include <limits>

#include <catch2/catch.hpp>

using namespace ahvn;

namespace {

json round_trip(const json& x) {
  std::string bytes;
  json::to_msgpack(x, bytes);
  return read_msgpack(bytes, "test");
}

} // namespace

TEST_CASE("read_msgpack reads every value nlohmann writes", "[msgpack]") {
  std::vector<json> values = {nullptr,
                              true,
                              false,
                              0,
                              1,
                              127,
                              128,
                              255,
                              256,
                              65535,
                              65536,
                              int64_t{4294967295},
                              int64_t{4294967296},
                              std::numeric_limits<int64_t>::max(),
                              uint64_t{18446744073709551615ull},
                              -1,
                              -32,
                              -33,
                              -128,
                              -129,
                              -32768,
                              -32769,
                              int64_t{-2147483648LL},
                              int64_t{-2147483649LL},
                              std::numeric_limits<int64_t>::min(),
                              0.5,
                              2.0,
                              -0.0,
                              1e300,
                              5e-324,
                              0.1,
                              std::numeric_limits<double>::infinity(),
                              "",
                              "short",
                              std::string(31, 'a'),
                              std::string(32, 'b'),
                              std::string(255, 'c'),
                              std::string(256, 'd'),
                              std::string(70000, 'e'),
                              "héllo ☃ 😀",
                              json::array(),
                              json::object(),
                              json::array({1, "two", 3.0, nullptr}),
                              json{{"a", {{"b", json::array({json::object(), json::array()})}}}}};
  json big = json::array();
  for (int i = 0; i < 70000; ++i)
    big.push_back(i);
  values.push_back(big);
  json wide = json::object();
  for (int i = 0; i < 300; ++i)
    wide["k" + std::to_string(i)] = i;
  values.push_back(wide);
  for (const auto& v : values) {
    INFO(v.dump().substr(0, 80));
    auto back = round_trip(v);
    CHECK(back == v);
    CHECK(canonical(back) == canonical(v));
  }
  // Integers come back signed where they fit, as the JSON parser gives them.
  CHECK_FALSE(round_trip(json(uint64_t{5})).is_number_unsigned());
  CHECK(round_trip(json(uint64_t{18446744073709551615ull})).is_number_unsigned());
}

TEST_CASE("read_msgpack rejects truncated and malformed bytes", "[msgpack][errors]") {
  std::string bytes;
  json::to_msgpack(json{{"key", std::string(100, 'x')}}, bytes);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{5}, bytes.size() - 1}) {
    try {
      read_msgpack(std::string_view(bytes).substr(0, cut), "lmdb:/x key 7");
      FAIL("no error at cut " << cut);
    } catch (const cache_error& e) {
      CHECK(e.code() == errc::corrupt_entry);
      CHECK_THAT(e.what(), Catch::Contains("lmdb:/x key 7"));
    }
  }
  CHECK_THROWS_AS(read_msgpack(bytes + "x", "t"), cache_error);    // trailing bytes
  CHECK_THROWS_AS(read_msgpack("\xc1", "t"), cache_error);         // never used
  CHECK_THROWS_AS(read_msgpack("\x81\x01\x02", "t"), cache_error); // non-string key
  CHECK_THROWS_AS(read_msgpack(std::string(600, '\x91') + "\x01", "t"), cache_error); // depth
}
