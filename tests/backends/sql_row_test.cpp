// AgentHeaven's cache_orm row format without a database: ids, content decoding, and the JSONB
// float repair.

#include "ahvn/backends/sql_row.hpp"
#include "ahvn/messages/error.hpp"

#include <catch2/catch.hpp>

namespace ahvn {

TEST_CASE("sql row: only exact 40-digit keys are row ids", "[sql][row]") {
  key k(12345, 678);
  CHECK(key_of_row_id(k.to_padded()) == k);
  CHECK(key_of_row_id(std::string(40, '0')) == key());
  CHECK_FALSE(key_of_row_id("0123"));
  CHECK_FALSE(key_of_row_id("abc"));
  CHECK_FALSE(key_of_row_id(""));
  CHECK_FALSE(key_of_row_id(std::string(40, '9'))); // beyond 2^128
  CHECK_FALSE(key_of_row_id(" " + k.to_padded().substr(1)));
}

TEST_CASE("sql row: content decodes as AgentHeaven's decoder would", "[sql][row]") {
  auto e = decode_row_content(
      R"({"func": "f", "inputs": {"n": {"__obj_type__": "bigint", "__obj_data__": "9007199254740993"}},)"
      R"( "output": {"t": {"__obj_type__": "tuple", "__obj_data__": [1, 2]},)"
      R"( "b": {"__obj_type__": "bigint", "__obj_data__": "-9007199254740993"}},)"
      R"( "expected": {"__obj_type__": "set", "__obj_data__": [1, 2]}, "metadata": {"m": 1}})",
      "test", false);
  CHECK(e.func == "f");
  // inputs keep their tags (the key is computed from them); the rest is untagged.
  CHECK(is_tagged(e.inputs["n"], "bigint"));
  CHECK(e.output == json{{"t", json::array({1, 2})}, {"b", int64_t{-9007199254740993}}});
  CHECK(e.expected == json::array({1, 2}));
  CHECK(e.metadata == json{{"m", 1}});
  CHECK(e.key() == compute_key("f", json{{"n", int64_t{9007199254740993}}}));
  // Python's Ellipsis (unset) tag: the field is unset.
  auto unset = decode_row_content(
      R"({"func": "f", "inputs": {}, "output": {"__obj_type__": "ellipsis"}, "metadata": {}})", "t",
      false);
  CHECK_FALSE(unset.output.has_value());
}

TEST_CASE("sql row: content that is not an entry throws naming what", "[sql][row]") {
  auto code_of = [](const std::string& text) {
    try {
      decode_row_content(text, "sqlite:x.db id 7", false);
    } catch (const cache_error& ex) {
      CHECK(std::string(ex.what()).size() > 0);
      return ex.code();
    }
    return errc::none;
  };
  CHECK(code_of("not json") == errc::invalid_json);
  CHECK(code_of("[1, 2]") == errc::invalid_entry);
  CHECK(code_of(R"({"func": 5})") == errc::invalid_entry);
  CHECK(code_of(R"({"func": "f", "inputs": [1]})") == errc::invalid_inputs);
  try {
    decode_row_content("{bad", "sqlite:x.db id 7", false);
  } catch (const cache_error& ex) {
    CHECK(ex.message().find("sqlite:x.db id 7") != std::string::npos);
  }
}

TEST_CASE("sql row: JSONB's written-out floats become floats again", "[sql][row]") {
  std::string text = R"({"a": 10000000000000000, "b": -9007199254740993, "c": 9007199254740992,)"
                     R"( "d": 12.5, "e": "12345678901234567890", "f": [1, 90071992547409930],)"
                     R"( "g": "\"99999999999999999")"
                     "}";
  CHECK(restore_jsonb_floats(text));
  CHECK(text == R"({"a": 10000000000000000.0, "b": -9007199254740993.0, "c": 9007199254740992,)"
                R"( "d": 12.5, "e": "12345678901234567890", "f": [1, 90071992547409930.0],)"
                R"( "g": "\"99999999999999999")"
                "}");
  std::string plain = R"({"a": 1, "s": "x"})";
  CHECK_FALSE(restore_jsonb_floats(plain));
  auto e = decode_row_content(
      R"({"func": "f", "inputs": {}, "output": [10000000000000000, 1500000000000000000000000000000], "metadata": {}})",
      "t", true);
  CHECK(e.output == json::array({1e16, 1.5e30}));
  CHECK((*e.output)[0].is_number_float());
}

} // namespace ahvn
