// The caller's side (issue 13): the default actor system, the bounded pool of async misses,
// reads and misses that never wait for the cache actor, and lease holders named across hops.

#include "ahvn/actors/caches/callback_cache.hpp"
#include "ahvn/actors/caches/disk_cache.hpp"
#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/system.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>

using namespace ahvn;
using namespace std::chrono_literals;

namespace {

// An actor system with one scheduler thread, and an actor that keeps it busy when told: every
// actor of the system that is not detached waits meanwhile.
struct one_worker {
  std::unique_ptr<caf::actor_system_config> cfg = [] {
    auto c = make_system_config();
    c->set("scheduler.max-threads", 1);
    return c;
  }();
  caf::actor_system sys{*cfg};
  std::shared_ptr<std::promise<void>> done = std::make_shared<std::promise<void>>();
  caf::actor blocker = sys.spawn([done = done](caf::event_based_actor*) -> caf::behavior {
    return {[done](std::chrono::milliseconds busy) {
      std::this_thread::sleep_for(busy);
      done->set_value();
    }};
  });

  // Occupies the only scheduler thread for `busy`, from (about) now.
  void occupy(std::chrono::milliseconds busy) {
    caf::anon_send(blocker, busy);
    std::this_thread::sleep_for(100ms); // the worker picks the blocker up
  }
  // Waits until the worker is free again.
  void free_again() { done->get_future().wait(); }

  ~one_worker() { caf::anon_send_exit(blocker, caf::exit_reason::user_shutdown); }
};

} // namespace

TEST_CASE("caches without a system share the default one, configured once", "[client]") {
  // Each ctest entry is its own process: nothing has started the default system yet.
  configure_default_system(
      [](caf::actor_system_config& cfg) { cfg.set("scheduler.max-threads", size_t{3}); });
  test::temp_dir dir("client");
  in_mem_cache a;
  disk_cache b(dir.file("lmdb"));
  CHECK(&a.system() == &b.system());
  CHECK(a.system().scheduler().num_workers() == 3); // the tuning took
  CHECK_THROWS_AS(configure_default_system([](caf::actor_system_config&) {}), cache_error);
  auto f = a.memoize({.name = "f", .params = {"x"}}, [](int x) { return x + 1; });
  CHECK(f(1) == 2);
  CHECK(f(1) == 2);
}

TEST_CASE("async misses compute on a bounded pool", "[client]") {
  in_mem_cache c;
  std::mutex m;
  std::set<std::thread::id> threads;
  std::atomic<int> running{0}, most{0};
  auto slow = c.memoize({.name = "slow", .params = {"x"}}, [&](int x) {
    int now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    {
      std::lock_guard<std::mutex> guard(m);
      threads.insert(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(20ms);
    --running;
    return x * 2;
  });
  std::vector<std::future<int>> results;
  for (int i = 0; i < 100; ++i)
    results.push_back(slow.async(i));
  for (int i = 0; i < 100; ++i) {
    REQUIRE(results[i].wait_for(60s) == std::future_status::ready);
    CHECK(results[i].get() == 2 * i);
  }
  size_t bound = std::max<size_t>(8, 4 * std::thread::hardware_concurrency());
  CHECK(threads.size() <= bound);                                 // not one thread per miss
  CHECK(most.load() > 1);                                         // but misses do run side by side
  CHECK(slow.async(5).wait_for(0s) == std::future_status::ready); // a hit: ready at once
}

TEST_CASE("reads and in-memory misses never wait for the cache actor", "[client]") {
  one_worker w;
  in_mem_cache c(w.sys, {.request_timeout = 500ms});
  c.set("f", {{"x", 1}}, "one");
  std::atomic<int> calls{0};
  auto g = c.memoize({.name = "g", .params = {"x"}}, [&](int x) {
    ++calls;
    return x * 10;
  });
  // The cache actor cannot run for the next 3 s: anything that asks it times out after 500 ms.
  w.occupy(3s);
  CHECK(c.get("f", {{"x", 1}}) == json("one"));
  CHECK(c.retrieve("f", {{"x", 1}})->output == json("one"));
  CHECK(c.exists("f", {{"x", 1}}));
  CHECK(c.find(compute_key("f", {{"x", 1}}))->output == json("one"));
  CHECK(g(4) == 40); // a miss: computed and handed over, not waited for
  CHECK(g(4) == 40); // and this process sees its own result at once
  CHECK(calls == 1);
  // Once the actor runs again, the write lands.
  w.free_again();
  CHECK(c.size() == 2);
  CHECK(c.get("g", {{"x", 4}}) == json(40));
}

TEST_CASE("a lease holder is watched through a dispatcher with feeds", "[client][single_flight]") {
  in_mem_cache inner;
  auto observed =
      observe(inner, {}, {feed([](const std::string&, const json&) -> std::optional<json> {
                return std::nullopt; // never a value: every miss computes
              })});
  std::atomic<int> calls{0};
  std::promise<void> started;
  std::vector<reply<int>> in_progress; // the first computation never answers
  auto ask = observed.memoize({.name = "ask", .params = {"x"}}, [&](int x, reply<int> r) {
    if (++calls == 1) {
      in_progress.push_back(r);
      started.set_value();
      return;
    }
    r.deliver(x + 1);
  });
  auto doomed = observed.system().spawn([ask](caf::event_based_actor* self) {
    ask.request(self, 1).then([](int) {}, [](caf::error) {});
  });
  started.get_future().wait();
  auto waiter = ask.async(1); // waits for the doomed actor's computation
  std::this_thread::sleep_for(50ms);
  caf::anon_send_exit(doomed, caf::exit_reason::kill);
  // The lease is a minute long: only the holder's death, seen across the dispatcher, ends it.
  REQUIRE(waiter.wait_for(20s) == std::future_status::ready);
  CHECK(waiter.get() == 2);
  CHECK(calls == 2);
}
