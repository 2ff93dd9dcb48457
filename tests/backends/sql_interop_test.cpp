// The SQL store and Python AgentHeaven share one SQLite file: each reads what the other wrote
// (tests/interop/ahvn_sql.py emulates AgentHeaven's DatabaseCache with Python's sqlite3 module).

#include "ahvn/backends/sql_store.hpp"
#include "tests/support/files.hpp"
#include "tests/support/sql_servers.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

namespace ahvn::test {

namespace {

std::string interop_script() {
  return source_path("tests/interop/ahvn_sql.py");
}

std::shared_ptr<cache_entry> entry(std::string func, json inputs, std::optional<json> output,
                                   std::optional<json> expected = {}, json metadata = nullptr) {
  return std::make_shared<cache_entry>(
      cache_entry::from_args(std::move(func), std::move(inputs), std::move(output),
                             std::move(expected), std::move(metadata)));
}

} // namespace

TEST_CASE("sql interop: the store reads the rows Python AgentHeaven wrote", "[sql][interop]") {
  temp_dir dir;
  auto db = dir.file("python.db");
  auto written = run_program({"python3", interop_script(), "write", db});
  INFO(written.output);
  REQUIRE(written.status == 0);
  json expected = parse_json(written.output, "ahvn_sql.py write output");
  REQUIRE(expected.size() == 10);

  sql_store s({.provider = "sqlite", .database = db});
  CHECK(s.size() == expected.size());
  for (const auto& item : expected) {
    auto k = key::parse(item["key"].get<std::string>());
    REQUIRE(k.has_value());
    const json& row = item["row"];   // the tagged dict, as stored
    const json& dict = item["dict"]; // the dict as Python holds it
    INFO("entry " << row.dump());
    auto got = s.get(*k);
    REQUIRE(got != nullptr);
    CHECK(got->key() == *k); // the C++ key of what was read is Python's key
    CHECK(got->func == dict["func"]);
    CHECK(got->inputs == row["inputs"]); // inputs keep their tags: the key is computed from them
    CHECK(got->output.has_value() == dict.contains("output"));
    if (got->output && dict.contains("output")) {
      CHECK(*got->output == dict["output"]);
      CHECK(canonical(*got->output) == canonical(dict["output"]));
    }
    CHECK(got->expected.has_value() == dict.contains("expected"));
    if (got->expected && dict.contains("expected")) CHECK(*got->expected == dict["expected"]);
    CHECK(got->metadata == dict["metadata"]);
  }
  // Spot checks of what the decoder must produce.
  auto bigints = s.get(compute_key("bigints", parse_json(R"({"n": {"__obj_type__": "bigint",
    "__obj_data__": "1152921504606846976"}, "beyond": 1000000000000000000000000000000})",
                                                         "t")));
  REQUIRE(bigints != nullptr);
  CHECK((*bigints->output)["u64max"] == json(uint64_t{18446744073709551615ull}));
  CHECK((*bigints->output)["i64min"] == json(int64_t{-9223372036854775807 - 1}));
  CHECK(is_tagged((*bigints->output)["beyond"], "bigint")); // beyond 64 bits: the exact form
  auto annotated = s.get(compute_key("classify", json{{"text", "great"}}));
  REQUIRE(annotated != nullptr);
  CHECK(annotated->annotated());
  CHECK(annotated->value() == json("pos"));
  auto replaced = s.get(compute_key("replaced", json{{"k", 1}}));
  REQUIRE(replaced != nullptr);
  CHECK(replaced->output == json("new"));
  CHECK(s.counters().errors == 0);
}

TEST_CASE("sql interop: Python AgentHeaven reads the rows the store wrote", "[sql][interop]") {
  temp_dir dir;
  auto db = dir.file("cpp.db");
  json huge = parse_json("123456789012345678901234567890", "t");
  json neg_huge = parse_json("-98765432109876543210987654321", "t");
  std::vector<std::shared_ptr<cache_entry>> entries = {
      entry("greet", json{{"name", "世界 😀"}, {"lang", "ja"}},
            json("こんにちは 😀 \n\t\"q\" \\ \u2028 \x01 é")),
      entry("bigints", json{{"n", int64_t{1} << 60}, {"beyond", huge}},
            json{{"p53", int64_t{1} << 53},
                 {"p53p1", int64_t{9007199254740993}},
                 {"u64max", uint64_t{18446744073709551615ull}},
                 {"i64min", int64_t{-9223372036854775807 - 1}},
                 {"huge", huge},
                 {"neg_huge", neg_huge},
                 {"list", json::array({huge, -1})}}),
      entry("floats", json{{"x", 0.1}},
            json::array({0.1, 1e16, 1e-05, 2.0, -0.0, 1.5e300, 5e-324, 123456789.123, 1e22})),
      entry("nothing", json{{"q", nullptr}}, json(nullptr)),
      entry("nested",
            json{{"cfg", {{"b", json::array({1, {{"c", json::array()}}})}, {"a", json::object()}}}},
            json{{"deep", json::array({json::array({json{{"k", "v"}}})})},
                 {"empty", json::object()},
                 {"t", true},
                 {"f", false}}),
      entry("classify", json{{"text", "great"}}, json("neg"), json("pos"),
            json{{"annotation", "gold"}, {"by", "ann"}}),
      entry("unset", json{{"k", 1}}, std::nullopt),
      entry("", json{{"empty func name", true}}, json(0)),
  };
  {
    sql_store s({.provider = "sqlite", .database = db});
    std::vector<keyed_entry> batch;
    for (auto& e : entries)
      batch.push_back({e->key(), e});
    s.put_many(batch);
    auto old = entry("replaced", json{{"k", 1}}, json("old"));
    auto fresh = entry("replaced", json{{"k", 1}}, json("new"), std::nullopt, json{{"v", 2}});
    s.put(old->key(), old);
    s.put(fresh->key(), fresh);
    entries.push_back(fresh);
  }
  // The expected dicts as Python holds them: big integers as plain digits.
  json expected = json::array();
  for (auto& e : entries)
    expected.push_back(e->to_dict());
  dump_options plain;
  plain.ensure_ascii = false;
  write_file(dir.file("expected.json"), dumps_python(expected, plain));

  auto checked = run_program({"python3", interop_script(), "check", db, dir.file("expected.json")});
  INFO(checked.output);
  CHECK(checked.status == 0);
  CHECK(checked.output.find("ok: 9 rows match") != std::string::npos);
}

TEST_CASE("sql interop: the Python checker notices a wrong row", "[sql][interop]") {
  // The check above can fail: a row whose content differs from the expectation is reported.
  temp_dir dir;
  auto db = dir.file("cpp.db");
  auto e = entry("f", json{{"i", 1}}, json("stored"));
  {
    sql_store s({.provider = "sqlite", .database = db});
    s.put(e->key(), e);
  }
  json expected = json::array({entry("f", json{{"i", 1}}, json("something else"))->to_dict()});
  write_file(dir.file("expected.json"), expected.dump());
  auto checked = run_program({"python3", interop_script(), "check", db, dir.file("expected.json")});
  CHECK(checked.status == 1);
  CHECK(checked.output.find("entry differs") != std::string::npos);
  CHECK(checked.output.find("something else") != std::string::npos);
}

} // namespace ahvn::test
