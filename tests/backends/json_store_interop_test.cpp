// json_store and AgentHeaven's JsonCache read each other's directories: Python (python3 from
// PATH, tests/interop/ahvn_json_dir.py) writes a directory this store reads, and checks one
// this store wrote. A missing python3 fails these tests.

#include "ahvn/backends/json_store.hpp"
#include "tests/backends/json_store_test_support.hpp"
#include "tests/support/command.hpp"
#include "tests/support/entries.hpp"
#include "tests/support/files.hpp"

#include <catch2/catch.hpp>

namespace ahvn::test {
namespace {

const std::string script = source_path("tests/interop/ahvn_json_dir.py");

void require_python() {
  INFO("python3 is required by the interop tests and was not found on PATH");
  REQUIRE(run_command("command -v python3 >/dev/null 2>&1").exit_code == 0);
}

/// One entry of what `ahvn_json_dir.py write` prints.
struct python_entry {
  key k;
  std::string file;
  cache_entry entry;
  bool byte_exact;
  bool key_matches_content;
};

/// Runs `ahvn_json_dir.py write dir`; returns its entries and keeps its output in `printed`.
std::vector<python_entry> python_write(const std::string& dir, const std::string& printed) {
  auto r = run_command("python3 " + shell_quote(script) + " write " + shell_quote(dir) + " > " +
                       shell_quote(printed) + " 2>&1");
  INFO(read_file(printed).substr(0, 2000));
  REQUIRE(r.exit_code == 0);
  json listing = parse_json(read_file(printed), printed);
  std::vector<python_entry> out;
  for (const auto& e : listing.at("entries")) {
    auto k = key::parse(e.at("key").get<std::string>());
    REQUIRE(k.has_value());
    out.push_back({*k, e.at("file").get<std::string>(), cache_entry::from_dict(e.at("entry")),
                   e.at("byte_exact").get<bool>(), e.at("key_matches_content").get<bool>()});
  }
  REQUIRE(out.size() >= 10);
  return out;
}

TEST_CASE("json_store reads what AgentHeaven's JsonCache writes, under the same keys",
          "[json_store][interop]") {
  require_python();
  temp_dir py("json-python"), work("json-work");
  auto entries = python_write(py.path().string(), work.file("python.json"));
  json_store s(py.path().string());
  log_capture log;
  size_t byte_exact = 0, mismatched = 0;
  for (const auto& e : entries) {
    INFO("Python's entry " << e.file << ": " << e.entry.to_dict().dump());
    CHECK(e.file == e.k.to_padded() + ".json");
    auto got = s.get(e.k);
    REQUIRE(got != nullptr);
    CHECK(*got == e.entry);
    // Types and number forms too: 2.0 stays 2.0, -0.0 stays -0.0.
    CHECK(canonical(got->to_dict()) == canonical(e.entry.to_dict()));
    if (e.key_matches_content) {
      CHECK(got->key() == e.k); // C++ computes Python's key from the file's func + inputs
    } else {
      CHECK(got->key() != e.k);
      ++mismatched;
    }
    if (e.byte_exact) {
      CHECK(to_python_file_json(*got) == read_file(py.file(e.file)));
      ++byte_exact;
    }
  }
  CHECK(byte_exact + 2 >= entries.size());
  CHECK(mismatched == 1);
  CHECK(log.lines().size() == mismatched); // the tuple entry, reported once
  CHECK(s.size() == entries.size());
  auto page = s.scan({.after = std::nullopt, .limit = 1000, .func = ""});
  CHECK(page.entries.size() == entries.size());
  CHECK(std::is_sorted(page.entries.begin(), page.entries.end(),
                       [](const keyed_entry& a, const keyed_entry& b) { return a.k < b.k; }));
  CHECK(s.counters().errors == 0);
}

/// Entries only C++ writes here: the values a cache must keep exactly.
std::vector<keyed_entry> native_entries() {
  std::vector<keyed_entry> out;
  int i = 0;
  for (auto& v : falsy_outputs())
    out.push_back(make_entry(i++, v, "native"));
  auto unset = std::make_shared<cache_entry>(cache_entry::from_args("native", json{{"u", 1}}));
  out.push_back({unset->key(), unset});
  auto annotated = std::make_shared<cache_entry>(
      cache_entry::from_args("native", json{{"u", 2}}, json(1), json(2), json{{"by", "ü"}}));
  out.push_back({annotated->key(), annotated});
  json rich = {{"float", 2.0},
               {"neg_zero", -0.0},
               {"tiny", 5e-324},
               {"e16", 1e16},
               {"big", int64_t{9007199254740993}},
               {"huge_unsigned", uint64_t{18446744073709551615ull}},
               {"min", int64_t{-9223372036854775807 - 1}},
               {"beyond_64_bits", parse_json("-123456789012345678901234567890", "test")},
               {"text", "quote \" backslash \\ newline \n tab \t \u0001 \u007f \u2028 ☃ 😀"},
               {"nested", {{"a", json::array({1, json::array(), json::object()})}}}};
  auto big_inputs = std::make_shared<cache_entry>(cache_entry::from_args(
      "native ☃",
      json{{"n", uint64_t{18446744073709551615ull}},
           {"m", parse_json("340282366920938463463374607431768211456", "test")},
           {"x", 2.5}},
      rich));
  out.push_back({big_inputs->key(), big_inputs});
  return out;
}

TEST_CASE("AgentHeaven's JsonCache reads what json_store writes", "[json_store][interop]") {
  require_python();
  temp_dir py("json-python"), cpp("json-cpp"), work("json-work");
  const std::string python_printed = work.file("python.json");
  auto python_entries = python_write(py.path().string(), python_printed);

  // Python's own entries, read and written back by C++, and entries only C++ wrote.
  json_store s(cpp.path().string());
  json_store from_python(py.path().string());
  for (const auto& e : python_entries)
    if (e.key_matches_content) {
      auto got = from_python.get(e.k);
      REQUIRE(got != nullptr);
      s.put(e.k, got);
    }
  json expected = {{"entries", json::array()}};
  for (const auto& e : native_entries()) {
    s.put(e.k, e.entry);
    // nlohmann's own writer, not the store's, so a shared mistake cannot hide.
    expected["entries"].push_back({{"key", e.k.to_string()}, {"entry", e.entry->to_dict()}});
  }
  write_file(work.file("cpp.json"), expected.dump());

  auto check = "python3 " + shell_quote(script) + " check " + shell_quote(cpp.path().string()) +
               " " + shell_quote(python_printed) + " " + shell_quote(work.file("cpp.json")) +
               " 2>&1";
  auto r = run_command(check);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::StartsWith("ok: "));

  // The check can fail: a float written as an integer is caught, with the file named.
  auto victim = native_entries().back();
  auto path = cpp.file(victim.k.to_padded() + ".json");
  auto text = read_file(path);
  auto at = text.find("\"x\": 2.5");
  REQUIRE(at != std::string::npos);
  write_file(path, text.replace(at, 8, "\"x\": 2.0"));
  auto broken = run_command(check);
  INFO(broken.output);
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.output, Catch::Contains(path) && Catch::Contains("$.inputs.x"));
}

} // namespace
} // namespace ahvn::test
