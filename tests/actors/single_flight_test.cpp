// Single flight under load, TTL expiry with a controllable clock, LRU eviction order, and the
// counters (issue 4).

#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/open_cache.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <catch2/catch.hpp>

using namespace ahvn;
using namespace std::chrono_literals;

namespace {

// A gate that many callers wait at until it opens.
class gate {
public:
  void open() {
    {
      std::lock_guard<std::mutex> guard(m_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [&] { return open_; });
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Calls `slow` for key 1 from 16 threads and 16 actors at once; returns what each got.
template <class Memo>
std::vector<std::future<int>> stampede(cache& c, const Memo& slow, gate& start) {
  std::vector<std::future<int>> results;
  for (int t = 0; t < 16; ++t)
    results.push_back(std::async(std::launch::async, [&slow, &start] {
      start.wait();
      return slow(1);
    }));
  for (int a = 0; a < 16; ++a) {
    auto p = std::make_shared<std::promise<int>>();
    results.push_back(p->get_future());
    c.system().spawn([&start, slow, p](caf::event_based_actor* self) {
      start.wait();
      slow.request(self, 1).then([p](int v) { p->set_value(v); },
                                 [p](caf::error e) {
                                   try {
                                     if (auto f = failure_of(e); f && f->error)
                                       std::rethrow_exception(f->error);
                                     throw to_cache_error(e);
                                   } catch (...) {
                                     p->set_exception(std::current_exception());
                                   }
                                 });
    });
  }
  return results;
}

} // namespace

TEST_CASE("16 threads and 16 actors missing one key compute it once", "[single_flight]") {
  test::temp_dir dir("flight");
  for (std::string url : {std::string("mem:"), "lmdb:" + dir.file("lmdb")}) {
    INFO(url);
    auto c = open_cache(url);
    std::atomic<int> calls{0};
    auto slow = c.memoize({.name = "slow", .params = {"x"}}, [&](int x) {
      ++calls;
      std::this_thread::sleep_for(300ms); // long enough for everyone to arrive
      return x + 41;
    });
    gate start;
    auto results = stampede(c, slow, start);
    start.open();
    for (auto& r : results) {
      REQUIRE(r.wait_for(30s) == std::future_status::ready);
      CHECK(r.get() == 42);
    }
    CHECK(calls == 1);
    auto s = c.stats();
    CHECK(s.coalesced >= 1);
    CHECK(s.sets == 1);
  }
}

TEST_CASE("every caller of a failing computation gets its exception, nothing is stored",
          "[single_flight]") {
  in_mem_cache c;
  std::atomic<int> calls{0};
  auto failing = c.memoize({.name = "failing", .params = {"x"}}, [&](int) -> int {
    ++calls;
    std::this_thread::sleep_for(300ms);
    throw std::out_of_range("the oracle is out of range");
  });
  gate start;
  auto results = stampede(c, failing, start);
  start.open();
  int failures = 0;
  for (auto& r : results) {
    REQUIRE(r.wait_for(30s) == std::future_status::ready);
    try {
      r.get();
    } catch (const std::out_of_range& e) { // the very exception type, in this process
      CHECK_THAT(e.what(), Catch::Contains("out of range"));
      ++failures;
    }
  }
  CHECK(failures == 32);
  CHECK(calls < 32); // those that waited did not compute again
  CHECK_FALSE(c.exists("failing", {{"x", 1}}));
}

TEST_CASE("a computing thread that hangs past its lease is taken over", "[single_flight]") {
  in_mem_cache c({.lease = 300ms});
  gate release;
  std::atomic<int> calls{0};
  auto f = c.memoize({.name = "f", .params = {"x"}}, [&](int x) {
    if (++calls == 1) release.wait(); // the first caller hangs
    return x * 2;
  });
  auto stuck = std::async(std::launch::async, [&] { return f(5); });
  while (calls == 0)
    std::this_thread::sleep_for(1ms);
  auto start = std::chrono::steady_clock::now();
  CHECK(f(5) == 10); // waits for the lease to run out, then computes itself
  CHECK(std::chrono::steady_clock::now() - start >= 250ms);
  CHECK(calls == 2);
  release.open();
  CHECK(stuck.get() == 10);
}

TEST_CASE("an actor that dies while computing hands its lease to a waiter", "[single_flight]") {
  in_mem_cache c; // the default lease is a minute: only the actor's death can end it early
  std::atomic<int> calls{0};
  std::promise<void> started;
  std::vector<reply<int>> in_progress; // the first computation is still "running"
  auto ask = c.memoize({.name = "ask", .params = {"x"}}, [&](int x, reply<int> r) {
    if (++calls == 1) {
      in_progress.push_back(r); // it never answers: its actor is about to die
      started.set_value();
      return;
    }
    r.deliver(x + 1);
  });
  auto doomed = c.system().spawn([ask](caf::event_based_actor* self) {
    ask.request(self, 1).then([](int) {}, [](caf::error) {});
  });
  started.get_future().wait();
  auto waiter = ask.async(1); // joins the doomed actor's computation
  std::this_thread::sleep_for(50ms);
  caf::anon_send_exit(doomed, caf::exit_reason::kill);
  REQUIRE(waiter.wait_for(10s) == std::future_status::ready);
  CHECK(waiter.get() == 2);
  CHECK(calls == 2);
}

TEST_CASE("entries expire after their TTL, judged by the cache's clock", "[ttl]") {
  auto clk = std::make_shared<manual_clock>();
  in_mem_cache c({.sweep_interval = 20ms, .time_source = clk});
  std::atomic<int> calls{0};
  auto sensor = c.memoize({.name = "get_realtime_data",
                           .params = {"sensor_id"},
                           .annotation = {{"priority", "high"}, {"ttl", "1h"}}},
                          [&](const std::string& id) {
                            ++calls;
                            return id + ":" + std::to_string(calls.load());
                          });
  auto quote = c.memoize({.name = "quote", .params = {"x"}, .ttl = 30s}, [&](int x) {
    ++calls;
    return x;
  });
  CHECK(sensor("s1") == "s1:1");
  CHECK(sensor("s1") == "s1:1");
  clk->advance(59min);
  CHECK(sensor("s1") == "s1:1");
  clk->advance(1min);
  CHECK(sensor("s1") == "s1:2"); // expired: a miss, computed again
  quote(1);
  CHECK(c.retrieve("quote", {{"x", 1}})->metadata.contains("expires_at"));
  clk->advance(31s);
  // The periodic sweep removes what expired (poll: the sweep runs on the actor's schedule).
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (c.size() > 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  CHECK(c.size() == 1);
  CHECK(c.stats().expirations >= 1);
}

TEST_CASE("a bounded in_mem_cache evicts the least recently used entry", "[lru]") {
  in_mem_cache c({}, {.max_entries = 3});
  std::vector<int> computed;
  auto f = c.memoize({.name = "f", .params = {"x"}}, [&](int x) {
    computed.push_back(x);
    return x;
  });
  f(1);
  f(2);
  f(3);
  // A hit counts as a use of an entry the store holds; a result computed a moment ago may still
  // be on its way to the store (pending in this process), so wait for the writes here.
  c.flush();
  f(1); // a hit: 1 is now more recent than 2 and 3
  f(4); // evicts 2, the least recently used
  CHECK(c.size() == 3);
  CHECK(c.exists("f", {{"x", 1}}));
  CHECK_FALSE(c.exists("f", {{"x", 2}}));
  CHECK(c.exists("f", {{"x", 3}}));
  CHECK(c.exists("f", {{"x", 4}}));
  f(2); // recomputed, evicts 3
  CHECK(computed == std::vector<int>{1, 2, 3, 4, 2});
  CHECK_FALSE(c.exists("f", {{"x", 3}}));
  CHECK(c.stats().evictions == 2);
}

TEST_CASE("stats count hits, misses, sets, coalesced callers and errors", "[stats]") {
  in_mem_cache c;
  auto f = c.memoize({.name = "f", .params = {"x"}}, [](int x) { return x; });
  f(1);
  f(1);
  f(2);
  auto s = c.stats();
  CHECK(s.hits == 1);
  CHECK(s.misses == 2);
  CHECK(s.sets == 2);
  CHECK(s.entries == 2);
  CHECK(s.errors == 0);
  CHECK(s.to_json()["hits"] == 1);
}
