// Synchronous memoize: the guide's sections 1, 5.3 and 5.5, falsy outputs, exceptions, the
// failure rule, and keys shared with Python.

#include "ahvn/actors/caches/callback_cache.hpp"
#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/no_cache.hpp"
#include "ahvn/actors/caches/store_cache.hpp"
#include "tests/support/failing_store.hpp"
#include "tests/support/files.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

using namespace ahvn;

TEST_CASE("guide 1: a recursive memoized fibonacci", "[memoize]") {
  in_mem_cache cache;
  int calls = 0;
  memoized<long(int)> fibonacci;
  fibonacci = cache.memoize({.name = "fibonacci", .params = {"n"}}, [&](int n) -> long {
    ++calls;
    return n <= 1 ? n : fibonacci(n - 2) + fibonacci(n - 1);
  });
  CHECK(fibonacci(30) == 832040);
  CHECK(calls == 31); // each n computed once
  CHECK(fibonacci(30) == 832040);
  CHECK(calls == 31); // second call: a hit
  // The entry is AgentHeaven's: same key as Python's fibonacci(n=30).
  auto e = cache.retrieve("fibonacci", {{"n", 30}});
  REQUIRE(e);
  CHECK(e->key().to_string() == "72204579713596226931980527061097647615");
  CHECK(e->output == json(832040));
}

TEST_CASE("guide 5.3: an excluded parameter does not change the key", "[memoize]") {
  in_mem_cache cache;
  int calls = 0;
  auto compute_with_debug =
      cache.memoize({.name = "compute_with_debug", .params = {"x", "debug"}, .exclude = {"debug"}},
                    [&](int x, bool debug) {
                      ++calls;
                      if (debug) UNSCOPED_INFO("computing for " << x);
                      return x * x;
                    });
  CHECK(compute_with_debug(5, true) == 25);
  CHECK(compute_with_debug(5, false) == 25);
  CHECK(calls == 1);
  auto e = cache.retrieve("compute_with_debug", {{"x", 5}});
  REQUIRE(e);
  CHECK(e->inputs == json{{"x", 5}});
}

TEST_CASE("guide 5.5: annotations are stored as metadata and filter entries", "[memoize]") {
  in_mem_cache cache;
  auto get_user_profile =
      cache.memoize({.name = "get_user_profile",
                     .params = {"user_id"},
                     .annotation = {{"purpose", "user_profile"}, {"team", "backend"}}},
                    [](int user_id) {
                      return json{{"id", user_id}, {"name", "user"}};
                    });
  auto get_realtime_data = cache.memoize(
      {.name = "get_realtime_data", .params = {"sensor_id"}, .annotation = {{"priority", "high"}}},
      [](const std::string& sensor_id) { return sensor_id + ":42"; });
  get_user_profile(1);
  get_user_profile(2);
  get_realtime_data("s1");
  int backend = 0;
  for (const auto& entry : cache) {
    if (entry.metadata.value("annotation", json::object()).value("team", "") == "backend") {
      CHECK(entry.func == "get_user_profile");
      ++backend;
    }
  }
  CHECK(backend == 2);
  CHECK(cache.filter_annotation({{"purpose", "user_profile"}}).size() == 2);
}

TEST_CASE("falsy outputs are hits, not misses", "[memoize]") {
  in_mem_cache cache;
  int calls = 0;
  auto falsy = cache.memoize({.name = "falsy", .params = {"kind"}}, [&](int kind) -> json {
    ++calls;
    switch (kind) {
    case 0:
      return 0;
    case 1:
      return "";
    case 2:
      return json::array();
    case 3:
      return json::object();
    case 4:
      return false;
    default:
      return nullptr;
    }
  });
  for (int round = 0; round < 2; ++round)
    for (int kind = 0; kind < 6; ++kind)
      falsy(kind);
  CHECK(calls == 6);
  CHECK(falsy(5).is_null());
  CHECK(falsy(4) == json(false));
}

TEST_CASE("typed results convert both ways", "[memoize]") {
  in_mem_cache cache;
  int calls = 0;
  auto words = cache.memoize({.name = "words", .params = {"text", "limit"}},
                             [&](const std::string& text, size_t limit) {
                               ++calls;
                               std::vector<std::string> out;
                               size_t start = 0;
                               while (out.size() < limit && start < text.size()) {
                                 auto end = text.find(' ', start);
                                 out.push_back(text.substr(start, end - start));
                                 start = end == std::string::npos ? text.size() : end + 1;
                               }
                               return out;
                             });
  auto first = words("héllo wörld again", 2);
  auto second = words("héllo wörld again", 2);
  CHECK(first == std::vector<std::string>{"héllo", "wörld"});
  CHECK(second == first);
  CHECK(calls == 1);
  auto pair_key = cache.memoize({.name = "pair", .params = {"p"}},
                                [](std::pair<int, int> p) { return p.first + p.second; });
  // Python's pair(p=(3, 4)) tags the tuple: the same key (tests/messages/key_vectors.json).
  auto vectors = json::parse(test::read_file(test::source_path("tests/messages/key_vectors.json")));
  auto python_key = [&](const char* func) {
    for (const auto& v : vectors["tagged"])
      if (v["func"] == func) return v["key"].get<std::string>();
    FAIL("no vector " << func);
    return std::string();
  };
  CHECK(pair_key.key_of({3, 4}).to_string() == python_key("pair"));
  // Tuples and sets are tagged as AgentHeaven's encoder tags them.
  auto key_of = [](const char* func, const char* param, json value) {
    return compute_key(func, json{{param, std::move(value)}}).to_string();
  };
  CHECK(key_of("tuple", "t", to_input_json(std::tuple<int, std::string, double>{1, "a", 2.5})) ==
        python_key("tuple"));
  CHECK(key_of("set", "s", to_input_json(std::set<int>{3, 1, 2})) == python_key("set"));
  CHECK(key_of("set_str", "s", to_input_json(std::set<std::string>{"b", "a", "c"})) ==
        python_key("set_str"));
}

TEST_CASE("an annotated entry's expected is what a hit returns", "[memoize]") {
  in_mem_cache cache;
  auto add =
      cache.memoize({.name = "add", .params = {"x", "y"}}, [](int x, int y) { return x + y; });
  CHECK(add(5, 10) == 15);
  cache.annotate("add", {{"x", 5}, {"y", 10}}, json(16));
  CHECK(add(5, 10) == 16);
  // Guide 4.5.3: expectations stored without output answer memoized calls.
  cache.set(cache_entry::from_args("add", {{"x", 10}, {"y", 15}}, std::nullopt, 25));
  CHECK(add(10, 15) == 25);
}

TEST_CASE("exceptions propagate and are never cached", "[memoize]") {
  in_mem_cache cache;
  int calls = 0;
  auto flaky = cache.memoize({.name = "flaky", .params = {"x"}}, [&](int x) -> int {
    if (++calls == 1) throw std::runtime_error("first call fails");
    return x;
  });
  CHECK_THROWS_WITH(flaky(1), "first call fails");
  CHECK_FALSE(cache.exists("flaky", {{"x", 1}}));
  CHECK(flaky(1) == 1);
  CHECK(flaky(1) == 1);
  CHECK(calls == 2);
}

TEST_CASE("no_cache always recomputes", "[memoize]") {
  no_cache cache;
  int calls = 0;
  auto f = cache.memoize({.name = "f", .params = {"x"}}, [&](int x) {
    ++calls;
    return x;
  });
  CHECK(f(1) == 1);
  CHECK(f(1) == 1);
  CHECK(f(2) == 2);
  CHECK(calls == 3);
  // The calls never reach the actor, yet they are counted; nothing is stored.
  auto s = cache.stats();
  CHECK(s.misses == 3);
  CHECK(s.sets == 3);
  CHECK(s.hits == 0);
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.get("f", {{"x", 1}}));
}

TEST_CASE("observers on a no_cache still see every computed set", "[memoize]") {
  no_cache inner;
  std::mutex m;
  std::vector<std::string> seen;
  auto observed = observe(inner, {callback([&](const key&, const json& entry) {
                            std::lock_guard<std::mutex> lock(m);
                            seen.push_back(entry.at("func").get<std::string>());
                          })});
  auto f = observed.memoize({.name = "f", .params = {"x"}}, [](int x) { return x + 1; });
  CHECK(f(1) == 2);
  CHECK(f(1) == 2);
  observed.flush();
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(m);
      if (seen.size() == 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard<std::mutex> lock(m);
  CHECK(seen == std::vector<std::string>{"f", "f"});
}

TEST_CASE("a failing backend never makes the program wrong", "[memoize][errors]") {
  auto ctl = std::make_shared<test::failing_store_control>();
  store_cache cache(std::make_unique<test::failing_store>(ctl));
  int calls = 0;
  auto square = cache.memoize({.name = "square", .params = {"x"}}, [&](int x) {
    ++calls;
    return x * x;
  });
  ctl->fail_reads = true;
  ctl->fail_writes = true;
  CHECK(square(3) == 9);
  cache.flush(); // waits for the answer to the write: it failed, so nothing is pending either
  CHECK(square(3) == 9);
  cache.flush();
  CHECK(calls == 2);
  CHECK(cache.stats().errors == 4); // two failed gets, two failed sets, each counted once
  ctl->fail_reads = false;
  ctl->fail_writes = false;
  CHECK(square(3) == 9);
  CHECK(square(3) == 9);
  CHECK(calls == 3);
}

TEST_CASE("a stored value that no longer converts is recomputed and replaced", "[memoize]") {
  in_mem_cache cache;
  cache.set("count", {{"x", 1}}, "not a number");
  int calls = 0;
  auto count = cache.memoize({.name = "count", .params = {"x"}}, [&](int x) {
    ++calls;
    return x + 1;
  });
  CHECK(count(1) == 2);
  CHECK(calls == 1);
  CHECK(cache.get("count", {{"x", 1}}) == json(2));
  CHECK(cache.stats().errors == 1);
}

TEST_CASE("many threads share one memoized function", "[memoize]") {
  in_mem_cache cache;
  std::atomic<int> calls{0};
  auto f = cache.memoize({.name = "f", .params = {"x"}}, [&](int x) {
    ++calls;
    return x * 2;
  });
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        if (f(i % 50) != (i % 50) * 2) ++wrong;
    });
  for (auto& t : threads)
    t.join();
  CHECK(wrong == 0);
  CHECK(calls >= 50);
  CHECK(cache.size() == 50);
}

TEST_CASE("memoize options are checked when the function is wrapped", "[memoize][errors]") {
  in_mem_cache cache;
  auto code_of = [](auto&& f) {
    try {
      f();
    } catch (const cache_error& e) {
      CHECK_THAT(e.what(), Catch::Contains("memoize"));
      return e.code();
    }
    return errc::none;
  };
  auto two = [](int a, int b) { return a + b; };
  CHECK(code_of([&] {
          cache.memoize({.name = "", .params = {"a", "b"}}, two);
        }) == errc::invalid_argument);
  CHECK(code_of([&] { cache.memoize({.name = "f", .params = {"a"}}, two); }) ==
        errc::invalid_argument);
  CHECK(code_of([&] {
          cache.memoize({.name = "f", .params = {"a", "a"}}, two);
        }) == errc::invalid_argument);
  CHECK(code_of([&] {
          cache.memoize({.name = "f", .params = {"a", "b"}, .exclude = {"c"}}, two);
        }) == errc::invalid_argument);
  CHECK(code_of([&] {
          cache.memoize({.name = "f", .params = {"a", "b"}, .annotation = json::array()}, two);
        }) == errc::invalid_argument);
}

namespace {

struct point {
  int x = 0;
  double y = 0;
};
void to_json(json& j, const point& p) {
  j = json{{"x", p.x}, {"y", p.y}};
}
void from_json(const json& j, point& p) {
  p.x = j.at("x").get<int>();
  p.y = j.at("y").get<double>();
}

} // namespace

TEST_CASE("keys written straight from the arguments equal AgentHeaven's", "[memoize]") {
  in_mem_cache cache;
  auto f = cache.memoize({.name = "f",
                          .params = {"zeta", "alpha", "mid", "unused", "é", "text"},
                          .exclude = {"unused"}},
                         [](int64_t, double, std::vector<std::optional<std::string>>, bool, point,
                            const char*) { return 0; });
  std::vector<std::tuple<int64_t, double, std::vector<std::optional<std::string>>, bool, point,
                         const char*>>
      calls = {{0, 0.0, {}, true, {}, ""},
               {int64_t{9007199254740993}, 1e-05, {"a", std::nullopt}, false, {1, 2.0}, "☃ \"q\""},
               {-int64_t{9007199254740993}, -0.0, {"x"}, true, {-3, 1e300}, "tab\there"}};
  for (const auto& c : calls) {
    auto fast = std::apply([&](const auto&... a) { return f.key_of(a...); }, c);
    auto slow =
        std::apply([&](const auto&... a) { return compute_key("f", f.inputs_of(a...)); }, c);
    CHECK(fast == slow);
  }
  // A user type round-trips through to_json/from_json as argument and result.
  int calls_made = 0;
  auto scale = cache.memoize({.name = "scale", .params = {"p", "k"}}, [&](point p, int k) {
    ++calls_made;
    return point{p.x * k, p.y * k};
  });
  CHECK(scale({2, 1.5}, 3).y == 4.5);
  CHECK(scale({2, 1.5}, 3).x == 6);
  CHECK(calls_made == 1);
  // Text that is not UTF-8 is a clear error naming the parameter, from the fast path too.
  auto echo = cache.memoize({.name = "echo", .params = {"s"}}, [](std::string s) { return s; });
  try {
    echo(std::string("bad \xff"));
    FAIL("no error");
  } catch (const cache_error& e) {
    CHECK(e.code() == errc::invalid_utf8);
    CHECK_THAT(e.what(), Catch::Contains("$.s"));
  }
}
