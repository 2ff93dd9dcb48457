// cache_entry: every example of the guide's section 4, and the unset/null distinction.

#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/error.hpp"

#include <catch2/catch.hpp>

using namespace ahvn;

TEST_CASE("guide 4.1: direct construction, key and value", "[cache_entry]") {
  cache_entry entry{"my_function", {{"x", 5}, {"y", 10}}, 50, std::nullopt, {{"timestamp", "..."}}};
  CHECK(entry.key() == compute_key("my_function", json{{"x", 5}, {"y", 10}}));
  CHECK(entry.value() == json(50));
  CHECK_FALSE(entry.annotated());
}

TEST_CASE("guide 4.2.1: from_args with exclude", "[cache_entry]") {
  auto entry = cache_entry::from_args("my_function", {{"x", 5}, {"y", 10}, {"z", 10}}, 25, {},
                                      nullptr, {"z"});
  CHECK(entry.func == "my_function");
  CHECK(entry.inputs == json{{"x", 5}, {"y", 10}});
  CHECK(entry.output == json(25));
  CHECK(entry.metadata == json::object());
}

TEST_CASE("guide 4.2.2: from_dict", "[cache_entry]") {
  json data = {{"func", "compute"},
               {"inputs", {{"n", 100}}},
               {"output", 5050},
               {"expected", 5050},
               {"metadata", {{"cached_at", "2025-10-21"}}}};
  auto entry = cache_entry::from_dict(data);
  CHECK(entry.func == "compute");
  CHECK(entry.inputs == json{{"n", 100}});
  CHECK(entry.output == json(5050));
  CHECK(entry.expected == json(5050));
  CHECK(entry.metadata["cached_at"] == "2025-10-21");
  CHECK(entry.to_dict() == data);
  // Missing fields take their defaults; a null metadata becomes {}.
  auto sparse = cache_entry::from_dict({{"func", "g"}, {"metadata", nullptr}});
  CHECK(sparse.inputs == json::object());
  CHECK_FALSE(sparse.output.has_value());
  CHECK(sparse.metadata == json::object());
}

TEST_CASE("guide 4.3.1: to_dict leaves unset fields out", "[cache_entry]") {
  auto entry = cache_entry::from_args("add", {{"x", 5}, {"y", 10}}, 15);
  CHECK(entry.to_dict() == json{{"func", "add"},
                                {"inputs", {{"x", 5}, {"y", 10}}},
                                {"output", 15},
                                {"metadata", json::object()}});
  auto no_output = cache_entry::from_args("add", {{"x", 5}});
  CHECK_FALSE(no_output.to_dict().contains("output"));
  CHECK_FALSE(no_output.to_dict().contains("expected"));
  // A null output is a value, not "unset".
  auto null_output = cache_entry::from_args("add", {{"x", 5}}, json(nullptr));
  CHECK(null_output.output.has_value());
  CHECK(null_output.to_dict().contains("output"));
  CHECK(null_output.to_dict()["output"].is_null());
}

TEST_CASE("guide 4.3.2: clone with updates leaves the original alone", "[cache_entry]") {
  auto original = cache_entry::from_args("compute", {{"n", 10}}, 100);
  auto modified = original.clone({.output = 200, .metadata = json{{"v", 2}}});
  CHECK(original.output == json(100));
  CHECK(modified.output == json(200));
  CHECK(modified.metadata == json{{"v", 2}});
  CHECK(original.metadata == json::object());
  auto renamed = original.clone(
      {.func = "other", .inputs = json{{"n", 1}, {"debug", true}}, .exclude = {"debug"}});
  CHECK(renamed.func == "other");
  CHECK(renamed.inputs == json{{"n", 1}});
  CHECK(original.clone() == original);
}

TEST_CASE("guide 4.3.3: annotate", "[cache_entry]") {
  auto entry = cache_entry::from_args("fibonacci", {{"n", 10}}, 55);
  auto annotated = entry.annotate(55, {{"source", "ground_truth"}});
  CHECK(annotated.expected == json(55));
  CHECK(annotated.annotated());
  CHECK_FALSE(entry.annotated());
  CHECK(annotated.metadata == json{{"source", "ground_truth"}});
  auto auto_annotated = entry.annotate();
  CHECK(auto_annotated.expected == json(55));
  // Metadata merges over what was there.
  auto twice = annotated.annotate(56, {{"reviewer", "amy"}});
  CHECK(twice.metadata == json{{"source", "ground_truth"}, {"reviewer", "amy"}});
  CHECK(twice.output == json(55));
  CHECK(twice.expected == json(56));
}

TEST_CASE("guide 4.4: key is order independent, value prefers expected", "[cache_entry]") {
  auto entry = cache_entry::from_args("add", {{"x", 5}, {"y", 10}}, 15);
  auto entry2 = cache_entry::from_args("add", {{"y", 10}, {"x", 5}}, 15);
  CHECK(entry.key() == entry2.key());
  auto computed = cache_entry::from_args("compute", {{"n", 10}}, 100);
  CHECK(computed.value() == json(100));
  CHECK(computed.annotate(99).value() == json(99));
  auto test_entry = cache_entry::from_args("test", {{"x", 1}}, 42);
  CHECK_FALSE(test_entry.annotated());
  CHECK(test_entry.annotate(42).annotated());
  // Neither set: no value.
  CHECK_FALSE(cache_entry::from_args("add", {{"x", 5}}).value().has_value());
  // Expected set without output (the guide's 4.5.3 evaluation entries).
  auto expectation = cache_entry::from_args("add", {{"x", 5}, {"y", 10}}, std::nullopt, 15);
  CHECK(expectation.value() == json(15));
  CHECK_FALSE(expectation.to_dict().contains("output"));
}

TEST_CASE("entries of the wrong shape are clear errors", "[cache_entry][errors]") {
  auto code_of = [](auto&& f) {
    try {
      f();
    } catch (const cache_error& e) {
      return e.code();
    }
    return errc::none;
  };
  CHECK(code_of([] { cache_entry::from_args("f", json::array()); }) == errc::invalid_inputs);
  CHECK(code_of([] { cache_entry::from_dict({{"func", 3}}); }) == errc::invalid_entry);
  CHECK(code_of([] {
          cache_entry::from_dict({{"func", "f"}, {"inputs", "x"}});
        }) == errc::invalid_inputs);
  CHECK(code_of([] {
          cache_entry::from_dict({{"func", "f"}, {"metadata", 1}});
        }) == errc::invalid_entry);
  CHECK(code_of([] { cache_entry::from_dict(json::array()); }) == errc::invalid_entry);
}

TEST_CASE("AgentHeaven's file and row layouts", "[cache_entry]") {
  auto e = cache_entry::from_args("add", {{"x", 5}, {"s", "☃"}}, int64_t{9007199254740993});
  CHECK(to_python_file_json(e) == "{\n"
                                  "    \"func\": \"add\",\n"
                                  "    \"inputs\": {\n"
                                  "        \"s\": \"☃\",\n"
                                  "        \"x\": 5\n"
                                  "    },\n"
                                  "    \"output\": 9007199254740993,\n"
                                  "    \"metadata\": {}\n"
                                  "}");
  CHECK(
      to_python_row_json(e) ==
      R"({"func": "add", "inputs": {"s": "\u2603", "x": 5}, )"
      R"("output": {"__obj_type__": "bigint", "__obj_data__": "9007199254740993"}, "metadata": {}})");
}

TEST_CASE("the compact encoding round-trips and rejects garbage", "[cache_entry]") {
  auto e = cache_entry::from_args("f", {{"x", 2.0}}, json(nullptr), json::array(), {{"m", 1}});
  auto back = decode_entry(encode_entry(e), "test");
  CHECK(back == e);
  CHECK(back.inputs["x"].is_number_float());
  auto unset = cache_entry::from_args("f", {{"x", 1}});
  CHECK_FALSE(decode_entry(encode_entry(unset), "test").output.has_value());
  try {
    decode_entry("\x01garbage", "lmdb:/tmp/x key 42");
    FAIL("no error");
  } catch (const cache_error& e) {
    CHECK(e.code() == errc::corrupt_entry);
    CHECK_THAT(e.what(), Catch::Contains("lmdb:/tmp/x key 42"));
  }
  auto bytes = encode_entry(e);
  CHECK_THROWS_AS(decode_entry(bytes.substr(0, bytes.size() / 2), "t"), cache_error);
}

TEST_CASE("the encoded header tells func, hit value and expiry without decoding", "[cache_entry]") {
  auto e = cache_entry::from_args("lookup", {{"id", 7}}, "out", std::nullopt,
                                  {{"expires_at", 1700000123.5}});
  auto bytes = encode_entry(e);
  encoded_view v;
  REQUIRE(view_encoded(bytes, v));
  CHECK(v.func == "lookup");
  CHECK(decode_msgpack(v.value, "t") == json("out"));
  CHECK(v.expires_at_ms == 1700000123500);
  auto annotated = encode_entry(e.annotate(json::array({1, 2})));
  REQUIRE(view_encoded(annotated, v));
  CHECK(decode_msgpack(v.value, "t") == json::array({1, 2})); // expected wins
  auto bare = encode_entry(cache_entry::from_args("f", json::object()));
  REQUIRE(view_encoded(bare, v));
  CHECK(v.value.empty()); // neither output nor expected
  CHECK(v.expires_at_ms == 0);
  CHECK_FALSE(view_encoded(std::string_view("short"), v));
  const std::string tagged_garbage(40, '\x96');
  CHECK_FALSE(view_encoded(tagged_garbage, v));
}

TEST_CASE("the jsonl export line is AgentHeaven's dumps_jsonl", "[cache_entry]") {
  auto e = cache_entry::from_args("add", {{"s", "☃"}}, int64_t{9007199254740993});
  CHECK(
      to_python_jsonl(e) ==
      R"({"func": "add", "inputs": {"s": "☃"}, )"
      R"("output": {"__obj_type__": "bigint", "__obj_data__": "9007199254740993"}, "metadata": {}})");
}

TEST_CASE("from_python_dict reads an entry as AgentHeaven writes it", "[cache_entry]") {
  json big = {{"__obj_type__", "bigint"}, {"__obj_data__", "9007199254740993"}};
  json tuple = {{"__obj_type__", "tuple"}, {"__obj_data__", json::array({1, 2})}};
  json dict = {{"func", "f"},
               {"inputs", {{"n", big}, {"t", tuple}}},
               {"output", {{"__obj_type__", "ellipsis"}}},
               {"expected", tuple},
               {"metadata", {{"id", big}}}};
  auto e = cache_entry::from_python_dict(dict);
  CHECK_FALSE(e.output.has_value()); // the Ellipsis tag is "unset"
  CHECK(e.expected == json::array({1, 2}));
  CHECK(e.metadata["id"] == json(int64_t{9007199254740993}));
  // Inputs stay tagged: the key must be the one Python computed from them.
  CHECK(e.inputs == dict["inputs"]);
  CHECK(e.key() == compute_key("f", dict["inputs"]));
  CHECK_THROWS_AS(cache_entry::from_python_dict(json::array()), cache_error);
}
