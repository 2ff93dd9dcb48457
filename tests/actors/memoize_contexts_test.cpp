// Memoize in every calling context (issue 4): futures, functions returning futures, inside
// actors, reply-style functions, generators and batches — on in_mem_cache, no_cache and every
// persistent cache.

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/no_cache.hpp"
#include "ahvn/actors/caches/open_cache.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>

using namespace ahvn;
using namespace std::chrono_literals;

namespace {

// Every cache the contexts must work on: whether it keeps entries, and whether it answers hits
// on the calling thread (stores with a concurrent reader) so that a hit is a ready future.
struct cache_under_test {
  std::string label;
  cache c;
  bool keeps;
  bool hits_in_thread;
};

std::vector<cache_under_test> all_caches(test::temp_dir& dir) {
  std::vector<cache_under_test> out;
  out.push_back({"mem", in_mem_cache(), true, true});
  out.push_back({"none", no_cache(), false, false});
  out.push_back({"lmdb", open_cache("lmdb:" + dir.file("lmdb")), true, true});
  out.push_back({"json", open_cache("json:" + dir.file("json")), true, true});
  out.push_back({"sqlite", open_cache("sqlite:" + dir.file("cache.db")), true, false});
  return out;
}

// Runs `f(self)` inside a fresh actor of `sys` and waits for it to report through the promise.
template <class T, class F>
T in_actor(caf::actor_system& sys, F f) {
  auto result = std::make_shared<std::promise<T>>();
  auto done = result->get_future();
  sys.spawn([f, result](caf::event_based_actor* self) { f(self, result); });
  REQUIRE(done.wait_for(20s) == std::future_status::ready);
  return done.get();
}

} // namespace

TEST_CASE("a plain thread calls memoized functions asynchronously", "[contexts]") {
  test::temp_dir dir("contexts");
  for (auto& t : all_caches(dir)) {
    INFO(t.label);
    std::atomic<int> calls{0};
    auto twice = t.c.memoize({.name = "twice", .params = {"x"}}, [&](int x) {
      ++calls;
      return 2 * x;
    });
    CHECK(twice.async(21).get() == 42);
    auto again = twice.async(21);
    if (t.hits_in_thread) // a hit is a ready future
      CHECK(again.wait_for(0s) == std::future_status::ready);
    CHECK(again.get() == 42);
    CHECK(calls == (t.keeps ? 1 : 2));
  }
}

TEST_CASE("functions that return futures are memoized without blocking", "[contexts]") {
  test::temp_dir dir("contexts");
  for (auto& t : all_caches(dir)) {
    INFO(t.label);
    std::atomic<int> calls{0};
    auto slow_square = t.c.memoize({.name = "slow_square", .params = {"x"}}, [&](int x) {
      ++calls;
      return std::async(std::launch::async, [x] {
        std::this_thread::sleep_for(50ms);
        return x * x;
      });
    });
    auto start = std::chrono::steady_clock::now();
    auto pending = slow_square(9);
    CHECK(std::chrono::steady_clock::now() - start < 40ms); // the call itself does not wait
    CHECK(pending.get() == 81);
    auto second = slow_square(9);
    if (t.hits_in_thread) CHECK(second.wait_for(0s) == std::future_status::ready);
    CHECK(second.get() == 81);
    CHECK(calls == (t.keeps ? 1 : 2));
    // A failure inside the function's future reaches the caller; nothing is stored.
    auto failing = t.c.memoize({.name = "failing", .params = {"x"}}, [](int x) {
      return std::async(std::launch::async,
                        [x]() -> int { throw std::runtime_error("no " + std::to_string(x)); });
    });
    CHECK_THROWS_WITH(failing(1).get(), "no 1");
    CHECK_FALSE(t.c.exists("failing", {{"x", 1}}));
  }
}

TEST_CASE("inside an actor, a memoized call answers through then()", "[contexts]") {
  test::temp_dir dir("contexts");
  for (auto& t : all_caches(dir)) {
    INFO(t.label);
    std::atomic<int> calls{0};
    auto square = t.c.memoize({.name = "square", .params = {"x"}}, [&](int x) {
      ++calls;
      return x * x;
    });
    auto& sys = t.c.system();
    for (int round = 0; round < 2; ++round) {
      auto v = in_actor<int>(sys, [square](caf::event_based_actor* self, auto result) {
        square.request(self, 12).then([result](int v) { result->set_value(v); },
                                      [result](caf::error e) {
                                        result->set_exception(
                                            std::make_exception_ptr(to_cache_error(e)));
                                      });
      });
      CHECK(v == 144);
    }
    CHECK(calls == (t.keeps ? 1 : 2));
    // An exception in the function reaches on_error as computation_failed.
    auto broken = t.c.memoize({.name = "broken", .params = {"x"}},
                              [](int) -> int { throw std::runtime_error("broken on purpose"); });
    auto what = in_actor<std::string>(sys, [broken](caf::event_based_actor* self, auto result) {
      broken.request(self, 1).then(
          [result](int) { result->set_value("no error"); },
          [result](caf::error e) { result->set_value(to_cache_error(e).what()); });
    });
    CHECK_THAT(what, Catch::Contains("computation_failed") && Catch::Contains("broken on purpose"));
    CHECK_FALSE(t.c.exists("broken", {{"x", 1}}));
  }
}

TEST_CASE("a function that answers later through a reply is memoized inside actors", "[contexts]") {
  test::temp_dir dir("contexts");
  for (auto& t : all_caches(dir)) {
    INFO(t.label);
    auto& sys = t.c.system();
    // The worker another actor asks; it answers later.
    auto worker = sys.spawn(
        [](caf::event_based_actor*) -> caf::behavior { return {[](int x) { return x + 1000; }}; });
    std::atomic<int> asked{0};
    std::atomic<caf::event_based_actor*> current{nullptr};
    auto ask = t.c.memoize({.name = "ask", .params = {"x"}}, [&, worker](int x, reply<int> r) {
      ++asked;
      current.load()
          ->request(worker, caf::infinite, x)
          .then([r](int answer) { r.deliver(answer); },
                [r](caf::error& e) {
                  r.fail(std::make_exception_ptr(std::runtime_error(caf::to_string(e))));
                });
    });
    for (int round = 0; round < 2; ++round) {
      auto v = in_actor<int>(sys, [&, ask](caf::event_based_actor* self, auto result) {
        current = self;
        ask.request(self, 7).then([result](int v) { result->set_value(v); },
                                  [result](caf::error e) {
                                    result->set_exception(
                                        std::make_exception_ptr(to_cache_error(e)));
                                  });
      });
      CHECK(v == 1007);
    }
    CHECK(asked == (t.keeps ? 1 : 2));
    // From a plain thread the same function gives a future (its reply comes from the worker's
    // answer, delivered on whatever thread; here a thread of our own answers).
    auto later = t.c.memoize({.name = "later", .params = {"x"}}, [](int x, reply<int> r) {
      std::thread([x, r] { r.deliver(x * 3); }).detach();
    });
    CHECK(later.async(5).get() == 15);
    anon_send_exit(worker, caf::exit_reason::user_shutdown);
  }
}

TEST_CASE("generators: full consumption stores, anything less stores nothing", "[contexts]") {
  test::temp_dir dir("contexts");
  for (auto& t : all_caches(dir)) {
    INFO(t.label);
    std::atomic<int> runs{0};
    auto data_stream =
        t.c.memoize({.name = "data_stream", .params = {"n"}}, [&](int n) -> generator<int> {
          ++runs;
          for (int i = 0; i < n; ++i) {
            if (i == 13 && n == 99) throw std::runtime_error("item 13 failed");
            co_yield i* i;
          }
        });
    // Partial consumption (a break) stores nothing.
    for (int item : data_stream(10))
      if (item > 10) break;
    CHECK_FALSE(t.c.exists("data_stream", {{"n", 10}}));
    // Early destruction stores nothing.
    {
      auto g = data_stream(10);
      auto it = g.begin();
      CHECK(*it == 0);
    }
    CHECK_FALSE(t.c.exists("data_stream", {{"n", 10}}));
    // An exception in the consumer stores nothing.
    try {
      for (int item : data_stream(10))
        if (item == 25) throw std::logic_error("consumer gave up");
    } catch (const std::logic_error&) {
    }
    CHECK_FALSE(t.c.exists("data_stream", {{"n", 10}}));
    // An exception in the generator reaches the consumer and stores nothing.
    std::vector<int> partial;
    CHECK_THROWS_WITH(
        [&] {
          for (int item : data_stream(99))
            partial.push_back(item);
        }(),
        "item 13 failed");
    CHECK(partial.size() == 13);
    CHECK_FALSE(t.c.exists("data_stream", {{"n", 99}}));
    // Full consumption stores the whole sequence; a hit replays it exactly.
    std::vector<int> first(0), second(0);
    for (int item : data_stream(10))
      first.push_back(item);
    int runs_after_first = runs;
    for (int item : data_stream(10))
      second.push_back(item);
    CHECK(first == std::vector<int>{0, 1, 4, 9, 16, 25, 36, 49, 64, 81});
    CHECK(second == first);
    if (t.keeps) {
      CHECK(runs == runs_after_first); // replayed, not recomputed
      CHECK(t.c.get("data_stream", {{"n", 10}}) == json(first));
    } else {
      CHECK(runs == runs_after_first + 1);
    }
    // An empty stream is a sequence too.
    for ([[maybe_unused]] int item : data_stream(0))
      FAIL("no items expected");
    if (t.keeps) CHECK(t.c.get("data_stream", {{"n", 0}}) == json::array());
  }
}

TEST_CASE("batches: partial hits, duplicates, empty batches, wrong lengths", "[contexts]") {
  test::temp_dir dir("contexts");
  for (auto& t : all_caches(dir)) {
    INFO(t.label);
    std::vector<std::vector<int>> seen;
    auto process_batch = t.c.batch_memoize({.name = "process_batch", .params = {"items"}},
                                           [&](const std::vector<int>& items) {
                                             seen.push_back(items);
                                             std::vector<std::string> out;
                                             for (int i : items)
                                               out.push_back("item " + std::to_string(i));
                                             return out;
                                           });
    CHECK(process_batch({}).empty());
    CHECK(seen.empty()); // an empty batch never calls the function
    auto first = process_batch({1, 2, 3});
    CHECK(first == std::vector<std::string>{"item 1", "item 2", "item 3"});
    // Partial hits and duplicates: the function sees only the distinct misses, in order.
    auto second = process_batch({3, 4, 1, 4, 5});
    CHECK(second == std::vector<std::string>{"item 3", "item 4", "item 1", "item 4", "item 5"});
    REQUIRE(seen.size() == 2);
    if (t.keeps) {
      CHECK(seen[1] == std::vector<int>{4, 5});
      // Each item is its own entry, keyed as AgentHeaven keys it: {"items": [x]}.
      CHECK(t.c.get("process_batch", {{"items", {4}}}) == json("item 4"));
    } else {
      CHECK(seen[1] == std::vector<int>{3, 4, 1, 5});
    }
    // A result of the wrong length is an error naming both lengths; nothing is stored.
    auto short_by_one = t.c.batch_memoize(
        {.name = "short", .params = {"items"}},
        [](const std::vector<int>& items) { return std::vector<int>(items.size() - 1, 0); });
    try {
      short_by_one({7, 8, 9});
      FAIL("no error");
    } catch (const cache_error& e) {
      CHECK(e.code() == errc::invalid_argument);
      CHECK_THAT(e.what(), Catch::Contains("2 outputs for 3 inputs"));
    }
    CHECK_FALSE(t.c.exists("short", {{"items", {7}}}));
  }
}
