// Canonical and Python-compatible JSON, checked against vectors that Python's json module wrote
// (tests/messages/make_key_vectors.py -> key_vectors.json).

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/json.hpp"
#include "tests/support/files.hpp"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

using namespace ahvn;

namespace {

const json& vectors() {
  static const json v =
      json::parse(test::read_file(test::source_path("tests/messages/key_vectors.json")));
  return v;
}

} // namespace

TEST_CASE("canonical text matches Python's json.dumps(sort_keys=True, ensure_ascii=False)",
          "[json]") {
  for (const auto& v : vectors()["vectors"]) {
    INFO("func " << v["func"] << " inputs " << v["inputs_text"]);
    auto inputs = parse_json(v["inputs_text"].get<std::string>(), "vector");
    CHECK(canonical(inputs) == v["canonical"].get<std::string>());
  }
}

TEST_CASE("dumps matches Python's defaults and the indent=4 file layout", "[json]") {
  for (const auto& v : vectors()["dumps"]) {
    auto value = parse_json(v["value_text"].get<std::string>(), "vector");
    INFO("value " << v["value_text"]);
    CHECK(dumps_python(value) == v["default"].get<std::string>());
    dump_options file_opts;
    file_opts.ensure_ascii = false;
    file_opts.indent = 4;
    CHECK(dumps_python(value, file_opts) == v["indent4"].get<std::string>());
  }
}

TEST_CASE("floats are written as Python's repr", "[json]") {
  auto repr = [](double d) { return canonical(json(d)); };
  CHECK(repr(0.1) == "0.1");
  CHECK(repr(1e-05) == "1e-05");
  CHECK(repr(0.0001) == "0.0001");
  CHECK(repr(1e16) == "1e+16");
  CHECK(repr(1e15) == "1000000000000000.0");
  CHECK(repr(2.0) == "2.0");
  CHECK(repr(-0.0) == "-0.0");
  CHECK(repr(1.5e300) == "1.5e+300");
  CHECK(repr(5e-324) == "5e-324");
  CHECK(repr(123.456) == "123.456");
  CHECK(repr(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(repr(std::numeric_limits<double>::infinity()) == "Infinity");
  CHECK(repr(-std::numeric_limits<double>::infinity()) == "-Infinity");
}

TEST_CASE("integers beyond 2^53 are tagged as AgentHeaven tags them", "[json]") {
  CHECK(canonical(json(int64_t{9007199254740992})) == "9007199254740992");
  CHECK(canonical(json(int64_t{9007199254740993})) ==
        R"({"__obj_data__": "9007199254740993", "__obj_type__": "bigint"})");
  CHECK(canonical(json(int64_t{-9007199254740993})) ==
        R"({"__obj_data__": "-9007199254740993", "__obj_type__": "bigint"})");
  CHECK(canonical(json(uint64_t{18446744073709551615ull})) ==
        R"({"__obj_data__": "18446744073709551615", "__obj_type__": "bigint"})");
  // Beyond 64 bits the parser keeps the exact digits in the tagged form...
  auto huge = parse_json("[123456789012345678901234567890, -98765432109876543210987]", "t");
  CHECK(canonical(huge) ==
        R"([{"__obj_data__": "123456789012345678901234567890", "__obj_type__": "bigint"}, )"
        R"({"__obj_data__": "-98765432109876543210987", "__obj_type__": "bigint"}])");
  // ...and the file layout writes them back as plain digits.
  CHECK(dumps_python(huge) == "[123456789012345678901234567890, -98765432109876543210987]");
  // A real exponent is still a float.
  CHECK(parse_json("1e30", "t").is_number_float());
}

TEST_CASE("untag turns Python's tagged forms back into values", "[json]") {
  auto x = parse_json(R"({"a": {"__obj_type__": "bigint", "__obj_data__": "9007199254740993"},
                          "b": {"__obj_type__": "tuple", "__obj_data__": [1, 2]},
                          "c": {"__obj_type__": "set", "__obj_data__": ["x"]},
                          "d": {"__obj_type__": "bigint", "__obj_data__": "123456789012345678901234567890"},
                          "e": {"__obj_type__": "other", "__obj_data__": 1}})",
                      "t");
  auto u = untag(x);
  CHECK(u["a"] == json(int64_t{9007199254740993}));
  CHECK(u["b"] == json::array({1, 2}));
  CHECK(u["c"] == json::array({"x"}));
  CHECK(is_tagged(u["d"], "bigint"));
  CHECK(u["e"] == x["e"]);
}

TEST_CASE("malformed JSON is an error naming the source and the byte", "[json][errors]") {
  try {
    parse_json(R"({"a": 1,})", "inputs");
    FAIL("no error");
  } catch (const cache_error& e) {
    CHECK(e.code() == errc::invalid_json);
    CHECK_THAT(e.what(), Catch::Contains("inputs") && Catch::Contains("byte 8") &&
                             Catch::Contains("expected a string key"));
  }
  CHECK_THROWS_AS(parse_json("", "empty"), cache_error);
  CHECK_THROWS_AS(parse_json("[1, 2", "truncated"), cache_error);
  CHECK_THROWS_AS(parse_json("{} trailing", "trailing"), cache_error);
  for (const char* bad : {"01", "1.", ".5", "1e", "-", "+1", "tru", "[1,]", "{\"a\"}", "\"\\x\"",
                          "\"\\ud800\"", "\"\\udc00\"", "\"tab\there\"", "nan", "inf"})
    CHECK_THROWS_AS(parse_json(bad, "t"), cache_error);
  CHECK_THROWS_AS(parse_json(std::string(600, '[') + std::string(600, ']'), "deep"), cache_error);
}

TEST_CASE("parsing reads what Python's json writes", "[json]") {
  auto x = parse_json(R"([NaN, Infinity, -Infinity, 1e999, 0, -1, 2.0, 18446744073709551615,
                          "\u00e9\ud83d\ude00\n\/", 1E+2])",
                      "t");
  CHECK(std::isnan(x[0].get<double>()));
  CHECK(x[1].get<double>() == std::numeric_limits<double>::infinity());
  CHECK(x[2].get<double>() == -std::numeric_limits<double>::infinity());
  CHECK(x[3].get<double>() == std::numeric_limits<double>::infinity());
  CHECK(x[4].is_number_integer());
  CHECK_FALSE(x[4].is_number_unsigned()); // small integers are signed, as json(0) makes them
  CHECK(x[5] == json(-1));
  CHECK(x[6].is_number_float());
  CHECK(x[7].is_number_unsigned());
  CHECK(x[8] == json("é😀\n/"));
  CHECK(x[9].is_number_float());
  // What we write, we read back identically (Python's dumps is the round trip reference).
  CHECK(dumps_python(x) ==
        R"([NaN, Infinity, -Infinity, Infinity, 0, -1, 2.0, 18446744073709551615, )"
        R"("\u00e9\ud83d\ude00\n/", 100.0])");
}

TEST_CASE("a string that is not UTF-8 is an error naming its path", "[json][errors]") {
  json x = {{"ok", "fine"}, {"bad", json::array({"x", std::string("ab\xff", 3)})}};
  try {
    canonical(x);
    FAIL("no error");
  } catch (const cache_error& e) {
    CHECK(e.code() == errc::invalid_utf8);
    CHECK_THAT(e.what(), Catch::Contains("$.bad[1]") && Catch::Contains("byte 2"));
  }
  // Overlong forms and surrogates are rejected too.
  CHECK_FALSE(utf8_problem("\xc0\xaf").empty());
  CHECK_FALSE(utf8_problem("\xed\xa0\x80").empty());
  CHECK_FALSE(utf8_problem("\xf4\x90\x80\x80").empty());
  CHECK(utf8_problem("héllo ☃ 😀").empty());
  // Invalid text in a JSON document is caught by the parser.
  CHECK_THROWS_AS(parse_json(std::string("\"\xff\""), "t"), cache_error);
}
