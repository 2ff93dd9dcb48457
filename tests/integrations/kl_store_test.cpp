// kl_store over any cache: every operation, ids of any size, entries of other functions unseen,
// and a JSON directory of knowledge objects shared with Python AgentHeaven
// (tests/interop/ahvn_kl_store.py) read and written under the same ids.

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/json_cache.hpp"
#include "ahvn/actors/caches/open_cache.hpp"
#include "ahvn/integrations/kl_store.hpp"
#include "tests/support/command.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <functional>
#include <map>
#include <set>

#include <catch2/catch.hpp>

using namespace ahvn;
using namespace ahvn::test;

namespace {

const std::string script = source_path("tests/interop/ahvn_kl_store.py");

std::map<std::string, json> contents(const kl_store& s) {
  std::map<std::string, json> out;
  for (const kl_item& kl : s)
    out[kl.id.to_string()] = kl.object;
  return out;
}

errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const cache_error& e) {
    return e.code();
  }
  return errc::none;
}

} // namespace

TEST_CASE("kl_store ids: integers of any size, keyed as AgentHeaven keys them", "[kl_store]") {
  CHECK(kl_store::key_of(123).to_string() == "322088009617739405387383225572288269752");
  CHECK(kl_store::inputs_of(123) == json({{"kid", 123}}));
  CHECK(kl_id::parse("000123") == kl_id(123));
  CHECK(kl_id::parse("-5").to_json() == json(-5));
  CHECK(kl_id(uint64_t{1} << 60).to_json() == json(uint64_t{1} << 60));
  auto big = kl_id::parse("236225330917005262880108488419543109028");
  CHECK(big.to_json() == json({{"__obj_type__", "bigint"},
                               {"__obj_data__", "236225330917005262880108488419543109028"}}));
  CHECK(kl_id::from_json(big.to_json()) == big);
  CHECK(kl_id::from_json(json("42")) == kl_id(42));
  CHECK(code_of([] { kl_id::parse("12a"); }) == errc::invalid_argument);
  CHECK(code_of([] { kl_id::parse(""); }) == errc::invalid_argument);
  CHECK(code_of([] { kl_id::from_json(json(1.5)); }) == errc::invalid_argument);
  CHECK(code_of([] { kl_id::from_json(json(true)); }) == errc::invalid_argument);
}

TEST_CASE("kl_store: upsert, insert, get, exists, remove and the batch forms", "[kl_store]") {
  temp_dir dir("kl");
  for (std::string url : {std::string("mem:"), "lmdb:" + dir.file("lmdb"), "json:" + dir.file("j"),
                          "sqlite:" + dir.file("kl.db")}) {
    INFO(url);
    auto c = open_cache(url);
    kl_store s(c);
    const json a = {{"type", "fact"}, {"content", "a"}};
    const json b = {{"type", "fact"}, {"content", "b"}};
    CHECK_FALSE(s.exists(1));
    CHECK_FALSE(s.get(1));
    CHECK(s.upsert(1, a));
    CHECK(s.exists(1));
    CHECK(s.get(1) == a);
    CHECK(c.get("kl_store", {{"kid", 1}}) == a); // the cache entry AgentHeaven would read
    CHECK(s.upsert(1, b));
    CHECK(s.get(1) == b);
    CHECK_FALSE(s.insert(1, a)); // exists: left as it is
    CHECK(s.get(1) == b);
    CHECK(s.insert(2, a));
    CHECK(s.remove(2));
    CHECK_FALSE(s.remove(2));
    CHECK_FALSE(s.exists(2));

    s.batch_upsert({{10, a}, {11, b}, {10, b}}); // of repeated ids, the first
    CHECK(s.get(10) == a);
    CHECK(s.batch_insert({{11, a}, {12, a}, {12, b}, {13, b}}) == 2);
    CHECK(s.get(11) == b);
    CHECK(s.get(12) == a);
    auto got = s.batch_get({10, 99, 13});
    REQUIRE(got.size() == 3);
    CHECK(got[0] == a);
    CHECK_FALSE(got[1]);
    CHECK(got[2] == b);
    CHECK(s.size() == 5);
    CHECK(s.batch_remove({10, 11, 99, 10}) == 2);
    CHECK(s.size() == 3);
    CHECK(contents(s) == std::map<std::string, json>{{"1", b}, {"12", a}, {"13", b}});
    s.flush();
  }
}

TEST_CASE("kl_store sees only its own entries, and size and clear count knowledge objects only",
          "[kl_store]") {
  in_mem_cache c;
  auto square = c.memoize({.name = "square", .params = {"x"}}, [](int x) { return x * x; });
  for (int i = 0; i < 5; ++i)
    square(i);
  c.set("kl_store_like", {{"kid", 1}}, "not a knowledge object");
  c.set("kl_store", {{"kid", "not-an-id"}}, "malformed"); // skipped (logged)
  kl_store s(c, {.page_size = 2});
  for (int i = 0; i < 7; ++i)
    s.upsert(i, {{"n", i}});
  CHECK(c.size() == 14);
  CHECK(s.size() == 7); // AgentHeaven's len() would say 14
  std::set<std::string> ids;
  for (const kl_item& kl : s) {
    ids.insert(kl.id.to_string());
    CHECK(kl.object["n"].get<int>() == std::stoi(kl.id.to_string()));
  }
  CHECK(ids.size() == 7);
  CHECK(s.clear() == 7);
  CHECK(s.size() == 0);
  CHECK(c.size() == 7); // the memoized calls (and the others) stay
  CHECK(square(3) == 9);
}

TEST_CASE("kl_store: the condition filters writes, and close releases the store", "[kl_store]") {
  in_mem_cache c;
  kl_store s(c, {.condition = [](const kl_item& kl) { return kl.object.value("keep", false); }});
  CHECK_FALSE(s.upsert(1, {{"keep", false}}));
  CHECK(s.upsert(2, {{"keep", true}}));
  s.batch_upsert({{3, {{"keep", true}}}, {4, {{"keep", false}}}});
  CHECK(s.size() == 2);
  s.close();
  CHECK(s.closed());
  CHECK(code_of([&] { s.get(2); }) == errc::invalid_argument);
  s.close();                                 // harmless
  CHECK(c.exists("kl_store", {{"kid", 2}})); // the cache itself lives on
}

TEST_CASE("a JSON directory of knowledge objects written by AgentHeaven reads back with the "
          "same ids, and the other way round",
          "[kl_store][interop]") {
  INFO("python3 is required by the interop tests and was not found on PATH");
  REQUIRE(run_command("command -v python3 >/dev/null 2>&1").exit_code == 0);
  temp_dir py("kl-python"), cpp("kl-cpp"), work("kl-work");
  auto printed = work.file("python.json");
  auto r = run_command("python3 " + shell_quote(script) + " write " + shell_quote(py.path()) +
                       " > " + shell_quote(printed) + " 2>&1");
  INFO(read_file(printed).substr(0, 2000));
  REQUIRE(r.exit_code == 0);
  json listing = parse_json(read_file(printed), printed);
  REQUIRE(listing["objects"].size() == 4);

  std::map<std::string, json> expected;
  {
    json_cache c(py.path().string());
    kl_store s(c);
    for (const auto& o : listing["objects"]) {
      auto id = kl_id::parse(o["id"].get<std::string>());
      INFO("id " << id.to_string());
      CHECK(kl_store::key_of(id).to_string() == o["key"].get<std::string>());
      CHECK(s.get(id) == o["object"]);
      expected[id.to_string()] = o["object"];
    }
    CHECK(contents(s) == expected); // the memoized call's entry is not seen
    CHECK(s.size() == 4);
    CHECK(c.size() == 5);
  }

  {
    json_cache c(cpp.path().string());
    kl_store s(c);
    for (const auto& [id, object] : expected)
      s.upsert(kl_id::parse(id), object);
    s.close();
  }
  auto read_back = work.file("read.json");
  r = run_command("python3 " + shell_quote(script) + " read " + shell_quote(cpp.path()) + " > " +
                  shell_quote(read_back) + " 2>&1");
  INFO(read_file(read_back).substr(0, 2000));
  REQUIRE(r.exit_code == 0);
  json seen = parse_json(read_file(read_back), read_back)["objects"];
  CHECK(seen.size() == expected.size());
  for (const auto& [id, object] : expected)
    CHECK(seen[id] == object);
}
