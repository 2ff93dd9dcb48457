// The cache handle's manual operations: the guide's sections 3.1, 3.5, 5.4, 5.5 (filtering) and
// 5.6, on in_mem_cache and no_cache.

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/no_cache.hpp"
#include "ahvn/actors/system.hpp"
#include "ahvn/messages/error.hpp"

#include <set>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

using namespace ahvn;

TEST_CASE("guide 5.4: manual set, get, retrieve, remove, clear", "[cache]") {
  in_mem_cache cache;
  cache_entry entry{"my_function",
                    {{"x", 5}},
                    25,
                    std::nullopt,
                    {{"version", "1.0"}, {"timestamp", "2024-01-01"}}};
  cache.set(entry);
  CHECK(cache.get("my_function", {{"x", 5}}) == json(25));
  auto full = cache.retrieve("my_function", {{"x", 5}});
  REQUIRE(full);
  CHECK(*full == entry);
  CHECK(cache.exists("my_function", {{"x", 5}}));
  CHECK(cache.contains(entry.key()));
  CHECK(cache.find(entry.key()) == entry);
  CHECK(cache.size() == 1);

  CHECK(cache.remove("my_function", {{"x", 5}}));
  CHECK_FALSE(cache.remove("my_function", {{"x", 5}}));
  CHECK_FALSE(cache.get("my_function", {{"x", 5}}));
  CHECK_FALSE(cache.exists("my_function", {{"x", 5}}));

  cache.set("f", {{"a", 1}}, "one");
  cache.set("f", {{"a", 2}}, "two");
  cache.add(cache_entry::from_args("g", {{"b", 1}}, nullptr));
  CHECK(cache.size() == 3);
  CHECK(cache.get("g", {{"b", 1}}) == json(nullptr)); // a stored null is a value, not a miss
  CHECK(cache.clear() == 3);
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.get("f", {{"a", 1}}));
}

TEST_CASE("get returns expected over output, set stores expected and metadata", "[cache]") {
  in_mem_cache cache;
  cache.set("f", {{"x", 1}}, 10, json(11), {{"note", "checked"}});
  CHECK(cache.get("f", {{"x", 1}}) == json(11));
  auto e = cache.retrieve("f", {{"x", 1}});
  REQUIRE(e);
  CHECK(e->output == json(10));
  CHECK(e->expected == json(11));
  CHECK(e->metadata == json{{"note", "checked"}});
}

TEST_CASE("annotate follows the seed's rules", "[cache]") {
  in_mem_cache cache;
  cache.set("f", {{"x", 1}}, 10, std::nullopt, {{"a", 1}});
  // Existing entry, no expected: the output becomes expected; metadata merges.
  cache.annotate("f", {{"x", 1}}, std::nullopt, {{"b", 2}});
  auto e = cache.retrieve("f", {{"x", 1}});
  REQUIRE(e);
  CHECK(e->output == json(10));
  CHECK(e->expected == json(10));
  CHECK(e->metadata == json{{"a", 1}, {"b", 2}});
  // Existing entry, an expected: only expected changes.
  cache.annotate("f", {{"x", 1}}, json(12));
  CHECK(cache.retrieve("f", {{"x", 1}})->output == json(10));
  CHECK(cache.get("f", {{"x", 1}}) == json(12));
  // Missing entry with an expected: a new entry whose output and expected are both it.
  cache.annotate("f", {{"x", 2}}, json(20), {{"source", "ground_truth"}});
  auto created = cache.retrieve("f", {{"x", 2}});
  REQUIRE(created);
  CHECK(created->output == json(20));
  CHECK(created->expected == json(20));
  CHECK(created->metadata == json{{"source", "ground_truth"}});
  // Missing entry without an expected: a clear error naming what is missing.
  try {
    cache.annotate("f", {{"x", 3}});
    FAIL("no error");
  } catch (const cache_error& err) {
    CHECK(err.code() == errc::missing_entry);
    CHECK_THAT(err.what(), Catch::Contains("'f'") && Catch::Contains("{\"x\": 3}"));
  }
  CHECK_FALSE(cache.exists("f", {{"x", 3}}));
}

TEST_CASE("guide 5.6: iteration pages through every entry once", "[cache]") {
  in_mem_cache cache;
  std::set<int> expected;
  for (int i = 0; i < 1000; ++i) {
    cache.set(i % 2 ? "odd" : "even", {{"i", i}}, i);
    expected.insert(i);
  }
  std::set<int> seen;
  size_t count = 0;
  for (const cache_entry& e : cache) {
    seen.insert(e.output->get<int>());
    ++count;
  }
  CHECK(count == 1000);
  CHECK(seen == expected);
  // Small pages, and a func filter.
  size_t odd = 0;
  for (const auto& e : cache.entries(7, "odd")) {
    CHECK(e.func == "odd");
    ++odd;
  }
  CHECK(odd == 500);
  // An empty cache iterates zero times.
  in_mem_cache empty;
  CHECK(empty.begin() == empty.end());
}

TEST_CASE("guide 5.5: filter by annotation and remove the matches", "[cache]") {
  in_mem_cache cache;
  cache.set("profile", {{"id", 1}}, "amy", std::nullopt,
            {{"annotation", {{"purpose", "user_profile"}, {"team", "backend"}}}});
  cache.set("profile", {{"id", 2}}, "bob", std::nullopt,
            {{"annotation", {{"purpose", "user_profile"}, {"team", "backend"}}}});
  cache.set("sensor", {{"id", 1}}, 3.5, std::nullopt,
            {{"annotation", {{"priority", "high"}, {"ttl", "1h"}}}});
  cache.set("plain", {{"id", 1}}, 0);
  auto backend = cache.filter_annotation({{"team", "backend"}});
  CHECK(backend.size() == 2);
  for (const auto& e : backend)
    CHECK(e.func == "profile");
  CHECK(cache.filter_annotation({{"priority", "high"}}).size() == 1);
  CHECK(cache.filter_annotation({{"team", "frontend"}}).empty());
  auto removed = cache.remove_if([](const cache_entry& e) {
    auto a = e.metadata.find("annotation");
    return a != e.metadata.end() && a->value("purpose", "") == "user_profile";
  });
  CHECK(removed == 2);
  CHECK(cache.size() == 2);
  CHECK(cache.filter([](const cache_entry& e) { return e.func == "plain"; }).size() == 1);
}

TEST_CASE("pop and popall", "[cache]") {
  in_mem_cache cache;
  CHECK_FALSE(cache.pop());
  for (int i = 0; i < 5; ++i)
    cache.set("f", {{"i", i}}, i);
  auto one = cache.pop();
  REQUIRE(one);
  CHECK(cache.size() == 4);
  CHECK_FALSE(cache.exists("f", one->inputs));
  auto rest = cache.popall();
  CHECK(rest.size() == 4);
  CHECK(cache.size() == 0);
}

TEST_CASE("a cache-level exclude drops inputs from every key", "[cache]") {
  in_mem_cache cache({.exclude = {"debug"}});
  cache.set("f", {{"x", 1}, {"debug", true}}, 1);
  CHECK(cache.get("f", {{"x", 1}, {"debug", false}}) == json(1));
  CHECK(cache.get("f", {{"x", 1}}) == json(1));
  CHECK(cache.retrieve("f", {{"x", 1}})->inputs == json{{"x", 1}});
}

TEST_CASE("guide 3.5: no_cache always misses and stores nothing", "[cache]") {
  no_cache cache;
  cache.set("f", {{"x", 1}}, 1);
  CHECK_FALSE(cache.get("f", {{"x", 1}}));
  CHECK_FALSE(cache.exists("f", {{"x", 1}}));
  CHECK(cache.size() == 0);
  CHECK(cache.begin() == cache.end());
  CHECK_FALSE(cache.remove("f", {{"x", 1}}));
  CHECK(cache.clear() == 0);
  CHECK_THROWS_AS(cache.annotate("f", {{"x", 1}}), cache_error);
}

TEST_CASE("bad input to manual operations is a clear error, nothing is stored", "[cache][errors]") {
  in_mem_cache cache;
  auto code_of = [](auto&& f) {
    try {
      f();
    } catch (const cache_error& e) {
      return e.code();
    }
    return errc::none;
  };
  CHECK(code_of([&] { cache.set("f", json::array({1}), 1); }) == errc::invalid_inputs);
  CHECK(code_of([&] { cache.get("f", "x"); }) == errc::invalid_inputs);
  CHECK(code_of([&] { cache.set("f", {{"s", std::string("\xc3", 1)}}, 1); }) == errc::invalid_utf8);
  CHECK(code_of([&] {
          cache.set("f", {{"x", 1}}, 1, std::nullopt, json(5));
        }) == errc::invalid_entry);
  CHECK(cache.size() == 0);
}

TEST_CASE("stats count hits, misses, sets and removes", "[cache]") {
  in_mem_cache cache;
  cache.set("f", {{"x", 1}}, 1);
  cache.get("f", {{"x", 1}});
  cache.get("f", {{"x", 2}});
  cache.remove("f", {{"x", 1}});
  auto s = cache.stats();
  CHECK(s.sets == 1);
  CHECK(s.hits == 1);
  CHECK(s.misses == 1);
  CHECK(s.removes == 1);
  CHECK(s.entries == 0);
  CHECK(s.errors == 0);
}

TEST_CASE("caches run on the caller's actor system too", "[cache]") {
  auto cfg = make_system_config();
  caf::actor_system sys{*cfg};
  {
    in_mem_cache cache(sys);
    cache.set("f", {{"x", 1}}, 1);
    CHECK(cache.get("f", {{"x", 1}}) == json(1));
    CHECK(&cache.system() == &sys);
  }
}
