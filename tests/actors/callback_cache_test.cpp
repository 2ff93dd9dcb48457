// callback_cache: the guide's section 3.6 (3.6.1-3.6.3) as tests, the seed's semantics (stores
// nothing; exists/remove/clear unsupported; exclude; set and add fire), and isolation (a
// throwing, sleeping or dead callback; a throwing, slow or dead feed).

#include "ahvn/actors/caches/callback_cache.hpp"
#include "ahvn/actors/system.hpp"
#include "tests/actors/dispatch_test_support.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>

using namespace ahvn;
using namespace std::chrono_literals;
using test::at_scope_end;
using test::count_lines;
using test::eventually;
using test::log_capture;
using test::recorder;

namespace {

struct event {
  key k;
  json entry;
};

int complex_calculation(int x) {
  return x % 7;
}

// Spawns an actor that records every set event it gets.
callback_actor spawn_recording_actor(caf::actor_system& sys,
                                     std::shared_ptr<recorder<keyed_entry>> rec) {
  // (Actors here get their state as spawn arguments: CAF 0.17 spawns a function without
  // arguments through a null pointer, which UBSan reports.)
  auto behavior = [](std::shared_ptr<recorder<keyed_entry>> r) -> callback_actor::behavior_type {
    return {[r](set_event_atom, const keyed_entry& e) { r->add(e); }};
  };
  return sys.spawn(behavior, std::move(rec));
}

// Kills `a` and returns once it is gone.
template <class Handle>
void kill_and_wait(caf::actor_system& sys, const Handle& a) {
  caf::scoped_actor self{sys};
  self->monitor(a);
  caf::anon_send_exit(a, caf::exit_reason::kill);
  bool down = false;
  self->receive([&](caf::down_msg&) { down = true; },
                caf::after(std::chrono::seconds(10)) >> [] {});
  REQUIRE(down);
}

} // namespace

TEST_CASE("guide 3.6: callbacks and feeds around a memoized function", "[callback_cache]") {
  recorder<event> logged, monitored;
  std::atomic<int> database_asked{0};
  auto log_cache_set = [&](const key& k, const json& value) { logged.add({k, value}); };
  auto monitor_memory = [&](const key& k, const json& value) { monitored.add({k, value}); };
  // Provide a fast alternative for specific inputs.
  auto fast_computation = [](const std::string&, const json& inputs) -> std::optional<json> {
    if (inputs.value("x", 0) < 100) return inputs["x"].get<int>() * 2;
    return std::nullopt; // let the original function handle it
  };
  // Check an external database for cached results (it has none).
  auto database_lookup = [&](const std::string&, const json&) -> std::optional<json> {
    ++database_asked;
    return std::nullopt;
  };
  callback_cache cache({log_cache_set, monitor_memory}, {fast_computation, database_lookup});

  std::atomic<int> computed{0};
  auto expensive_function =
      cache.memoize({.name = "expensive_function", .params = {"x"}}, [&](int x) {
        ++computed;
        return x * x + complex_calculation(x);
      });
  CHECK(expensive_function(5) == 10); // the fast_computation feed answers
  CHECK(computed == 0);
  CHECK(database_asked == 0); // the first value wins: later feeds are not asked
  CHECK(expensive_function(200) == 200 * 200 + 200 % 7); // falls back to the function
  CHECK(computed == 1);
  CHECK(database_asked == 1);
  // The set of expensive_function(200) reached both callbacks; the fed value set nothing.
  REQUIRE(logged.wait_for(1));
  REQUIRE(monitored.wait_for(1));
  auto e = logged.items().at(0);
  CHECK(e.k == compute_key("expensive_function", {{"x", 200}}));
  CHECK(e.entry["func"] == "expensive_function");
  CHECK(e.entry["inputs"] == json{{"x", 200}});
  CHECK(e.entry["output"] == json(200 * 200 + 200 % 7));
  CHECK(monitored.items().at(0).k == e.k);
  // Nothing is stored: the same call computes again (the seed's CallbackCache caches nothing).
  CHECK(expensive_function(200) == 200 * 200 + 200 % 7);
  CHECK(computed == 2);
  REQUIRE(logged.wait_for(2));
  CHECK(logged.size() == 2);
}

TEST_CASE("guide 3.6.1: each callback gets the key and the entry dict", "[callback_cache]") {
  recorder<event> callback1, callback2, callback3;
  auto make = [](recorder<event>& r) {
    return [&r](const key& k, const json& value) { r.add({k, value}); };
  };
  // Multiple callbacks are executed in order (each on its own actor).
  callback_cache cache({make(callback1), make(callback2), make(callback3)});
  cache.set("my_function", {{"x", 5}}, 25, std::nullopt, {{"version", "1.0"}});
  for (auto* r : {&callback1, &callback2, &callback3}) {
    REQUIRE(r->wait_for(1));
    auto e = r->items().at(0);
    CHECK(e.k == compute_key("my_function", {{"x", 5}}));
    CHECK(e.entry == json{{"func", "my_function"},
                          {"inputs", {{"x", 5}}},
                          {"output", 25},
                          {"metadata", {{"version", "1.0"}}}});
  }
  // An annotated entry carries its expected output too.
  cache.set("my_function", {{"x", 6}}, 36, json(37));
  REQUIRE(callback1.wait_for(2));
  CHECK(callback1.items().at(1).entry["expected"] == json(37));
}

TEST_CASE("guide 3.6.2: feeds answer fibonacci for small n and look up users", "[callback_cache]") {
  std::map<int, json> database = {{42, {{"name", "amy"}}}};
  auto custom_feed = [&](const std::string& func, const json& inputs) -> std::optional<json> {
    // Pre-computed results for specific inputs.
    if (func == "fibonacci" && inputs.at("n").get<int>() <= 10) {
      static const int table[] = {0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55};
      return table[inputs.at("n").get<int>()];
    }
    // A database lookup.
    if (inputs.contains("user_id")) {
      auto it = database.find(inputs["user_id"].get<int>());
      if (it != database.end()) return it->second;
    }
    return std::nullopt; // continue to the next feed or the original function
  };
  std::atomic<int> second_asked{0};
  auto nothing = [&](const std::string&, const json&) -> std::optional<json> {
    ++second_asked;
    return std::nullopt;
  };
  callback_cache cache({}, {custom_feed, nothing});

  std::atomic<int> calls{0};
  memoized<long(int)> fibonacci;
  fibonacci = cache.memoize({.name = "fibonacci", .params = {"n"}}, [&](int n) -> long {
    ++calls;
    return n <= 1 ? n : fibonacci(n - 2) + fibonacci(n - 1);
  });
  CHECK(fibonacci(10) == 55);
  CHECK(calls == 0);
  CHECK(fibonacci(12) == 144); // computes 12 and 11; 10 and 9 come from the feed
  CHECK(calls == 2);
  CHECK(second_asked == 2);

  auto profile = cache.memoize({.name = "profile", .params = {"user_id"}}, [&](int id) {
    ++calls;
    return json{{"name", "computed " + std::to_string(id)}};
  });
  CHECK(profile(42) == json{{"name", "amy"}});
  CHECK(profile(7) == json{{"name", "computed 7"}});
  CHECK(calls == 3);

  // Manual gets by function and inputs ask the feeds too; gets by key do not.
  CHECK(cache.get("fibonacci", {{"n", 7}}) == json(13));
  auto e = cache.retrieve("fibonacci", {{"n", 8}});
  REQUIRE(e);
  CHECK(e->output == json(21));
  CHECK(e->inputs == json{{"n", 8}});
  CHECK_FALSE(cache.get("fibonacci", {{"n", 11}}));
  CHECK_FALSE(cache.find(compute_key("fibonacci", {{"n", 7}})));
}

TEST_CASE("guide 3.6.3: a failing callback and a failing feed are logged and skipped",
          "[callback_cache]") {
  log_capture logs;
  recorder<event> working;
  auto failing_callback = [](const key&, const json&) {
    throw std::invalid_argument("Callback error!");
  };
  auto working_callback = [&](const key& k, const json& v) { working.add({k, v}); };
  auto failing_feed = [](const std::string&, const json&) -> std::optional<json> {
    throw std::runtime_error("Feed error!");
  };
  auto working_feed = [](const std::string&, const json& inputs) -> std::optional<json> {
    if (inputs.at("x").get<int>() == 1) return "fed";
    return std::nullopt;
  };
  callback_cache cache({failing_callback, working_callback}, {failing_feed, working_feed});
  auto f = cache.memoize({.name = "f", .params = {"x"}},
                         [](int x) { return "computed " + std::to_string(x); });

  CHECK(f(1) == "fed");         // the failing feed is skipped, the next one answers
  CHECK(f(2) == "computed 2");  // no feed answers: the original function runs
  REQUIRE(working.wait_for(1)); // the failing callback did not stop the working one
  auto k = compute_key("f", {{"x", 2}});
  CHECK(working.items().at(0).k == k);
  REQUIRE(eventually([&] { return count_lines(logs, {"callback 1", k.to_string()}) == 1; }));
  CHECK(count_lines(logs, {"callback 1 failed for key " + k.to_string(), "Callback error!"}) == 1);
  CHECK(count_lines(logs, {"feed 1", "'f'", "Feed error!"}) == 2); // asked for x=1 and x=2
  CHECK(cache.stats().errors == 3);
}

TEST_CASE("callback_cache stores nothing: exists, remove and clear are not supported",
          "[callback_cache]") {
  callback_cache cache;
  cache.set("f", {{"x", 1}}, 1);
  auto k = compute_key("f", {{"x", 1}});
  auto not_supported = [](const std::function<void()>& op, const std::string& what) {
    try {
      op();
      FAIL("no error for " << what);
    } catch (const cache_error& e) {
      CHECK(e.code() == errc::not_supported);
      CHECK_THAT(e.what(), Catch::Contains("callback_cache stores no entries: " + what +
                                           " is not supported"));
    }
  };
  not_supported([&] { cache.exists("f", {{"x", 1}}); }, "exists");
  not_supported([&] { cache.contains(k); }, "exists");
  not_supported([&] { cache.remove("f", {{"x", 1}}); }, "remove");
  not_supported([&] { cache.remove(k); }, "remove");
  not_supported([&] { cache.clear(); }, "clear");
  CHECK(cache.size() == 0);
  CHECK(cache.begin() == cache.end());
  CHECK(cache.filter([](const cache_entry&) { return true; }).empty());
  CHECK_FALSE(cache.pop());
  CHECK_FALSE(cache.get("f", {{"x", 1}}));
  CHECK_FALSE(cache.find(k));
}

TEST_CASE("exclude applies to the inputs callbacks receive, and set and add both fire",
          "[callback_cache]") {
  recorder<event> seen;
  callback_cache cache({[&](const key& k, const json& v) {
                         seen.add({k, v});
                       }},
                       {}, {.exclude = {"debug"}});
  cache.set("f", {{"x", 1}, {"debug", true}}, 1);
  cache.add(cache_entry::from_args("g", {{"y", 2}, {"debug", false}}, 3));
  auto h =
      cache.memoize({.name = "h", .params = {"z", "debug"}}, [](int z, bool) { return z + 1; });
  CHECK(h(4, true) == 5);
  REQUIRE(seen.wait_for(3));
  auto items = seen.items();
  CHECK(items[0].k == compute_key("f", {{"x", 1}}));
  CHECK(items[0].entry["inputs"] == json{{"x", 1}});
  // add() stores the entry under its own key; the callback still gets the inputs without
  // the excluded name.
  CHECK(items[1].k == (cache_entry::from_args("g", {{"y", 2}, {"debug", false}}, 3)).key());
  CHECK(items[1].entry["inputs"] == json{{"y", 2}});
  CHECK(items[1].entry["output"] == json(3));
  CHECK(items[2].k == compute_key("h", {{"z", 4}}));
  CHECK(items[2].entry["inputs"] == json{{"z", 4}});
}

TEST_CASE("a callback that sleeps for a second holds up neither the caller nor the others",
          "[callback_cache][isolation]") {
  using clock = std::chrono::steady_clock;
  recorder<int> slow, fast;
  recorder<clock::time_point> fast_at, slow_done_at;
  auto sleeping = [&](const key&, const json& v) {
    std::this_thread::sleep_for(1s);
    slow.add(v["inputs"]["x"].get<int>());
    slow_done_at.add(clock::now());
  };
  auto quick = [&](const key&, const json& v) {
    fast.add(v["inputs"]["x"].get<int>());
    fast_at.add(clock::now());
  };
  callback_cache cache({sleeping, quick});
  auto square = cache.memoize({.name = "square", .params = {"x"}}, [](int x) { return x * x; });
  auto start = clock::now();
  for (int x = 1; x <= 3; ++x)
    CHECK(square(x) == x * x);
  // The sleeping callback needs three seconds for these sets; the caller waited for none.
  CHECK(clock::now() - start < 900ms);
  REQUIRE(fast.wait_for(3, 5s));
  CHECK(fast.items() == std::vector<int>{1, 2, 3});
  CHECK(slow.size() < 3);
  // The sleeping callback sees every set, in order, later.
  REQUIRE(slow.wait_for(3, 15s));
  CHECK(slow.items() == std::vector<int>{1, 2, 3});
  CHECK(fast_at.items().at(2) < slow_done_at.items().at(0));
}

TEST_CASE("a throwing, a slow and a dead feed are logged and skipped",
          "[callback_cache][isolation]") {
  log_capture logs;
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  auto dead = sys.spawn(
      [](json answer) -> feed_actor::behavior_type {
        return {[answer](feed_atom, const feed_request&) { return feed_answer{answer}; }};
      },
      json("from the dead"));
  kill_and_wait(sys, dead);
  {
    auto slow = [](const std::string&, const json&) -> std::optional<json> {
      std::this_thread::sleep_for(1500ms);
      return "too late";
    };
    auto throwing = [](const std::string&, const json&) -> std::optional<json> {
      throw std::runtime_error("no database");
    };
    auto answering = [](const std::string&, const json& in) -> std::optional<json> {
      return in.at("x").get<int>() * 100;
    };
    callback_cache cache(sys, {}, {slow, throwing, dead, answering}, {}, {.feed_timeout = 200ms});
    auto f = cache.memoize({.name = "f", .params = {"x"}}, [](int x) { return x; });
    auto start = std::chrono::steady_clock::now();
    CHECK(f(3) == 300);
    CHECK(std::chrono::steady_clock::now() - start < 1400ms); // the slow feed was not awaited
    CHECK(count_lines(logs, {"feed 1 failed for 'f'", "no answer within 200 ms"}) == 1);
    CHECK(count_lines(logs, {"feed 2 failed for 'f'", "no database"}) == 1);
    CHECK(count_lines(logs, {"feed 3 (an actor)"}) >= 1);
    CHECK(cache.stats().errors >= 3);
  }
}

TEST_CASE("a callback actor that died is logged once and skipped", "[callback_cache][isolation]") {
  log_capture logs;
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  auto dead_rec = std::make_shared<recorder<keyed_entry>>();
  auto live_rec = std::make_shared<recorder<keyed_entry>>();
  auto dying = spawn_recording_actor(sys, dead_rec);
  auto living = spawn_recording_actor(sys, live_rec);
  at_scope_end stop([&] { caf::anon_send_exit(living, caf::exit_reason::user_shutdown); });
  {
    callback_cache cache(sys, {dying, living});
    cache.set("f", {{"x", 1}}, 1);
    REQUIRE(live_rec->wait_for(1));
    REQUIRE(dead_rec->wait_for(1));
    kill_and_wait(sys, dying);
    REQUIRE(eventually([&] { return count_lines(logs, {"callback 1 (an actor) is gone"}) == 1; }));
    cache.set("f", {{"x", 2}}, 2);
    cache.set("f", {{"x", 3}}, 3);
    REQUIRE(live_rec->wait_for(3));
    CHECK(live_rec->items().at(2).entry->output == json(3));
    CHECK(dead_rec->size() == 1);
    CHECK(count_lines(logs, {"callback 1 (an actor) is gone"}) == 1);
    CHECK(count_lines(logs, {"callback 2"}) == 0);
  }
}

TEST_CASE("callbacks and feeds given as actor handles", "[callback_cache]") {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  auto rec = std::make_shared<recorder<keyed_entry>>();
  auto cb = spawn_recording_actor(sys, rec);
  auto lookup_feed = sys.spawn(
      [](int rows) -> feed_actor::behavior_type {
        return {[rows](feed_atom, const feed_request& req) {
          if (req.func == "lookup" && req.inputs.at("id").get<int>() < rows)
            return feed_answer{json("row " + std::to_string(req.inputs["id"].get<int>()))};
          return feed_answer{};
        }};
      },
      10);
  at_scope_end stop([&] {
    caf::anon_send_exit(cb, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(lookup_feed, caf::exit_reason::user_shutdown);
  });
  {
    callback_cache cache(sys, {cb}, {lookup_feed});
    auto lookup = cache.memoize({.name = "lookup", .params = {"id"}},
                                [](int id) { return "computed " + std::to_string(id); });
    CHECK(lookup(3) == "row 3");
    CHECK(lookup(30) == "computed 30");
    REQUIRE(rec->wait_for(1));
    auto e = rec->items().at(0);
    CHECK(e.k == compute_key("lookup", {{"id", 30}}));
    CHECK(e.entry->output == json("computed 30"));
  }
}

TEST_CASE("a feed value of null is a value", "[callback_cache]") {
  callback_cache cache(
      {}, {[](const std::string&, const json&) -> std::optional<json> { return json(nullptr); }});
  int calls = 0;
  auto f = cache.memoize({.name = "f", .params = {"x"}}, [&](int) {
    ++calls;
    return json("computed");
  });
  CHECK(f(1) == json(nullptr));
  CHECK(calls == 0);
}

TEST_CASE("empty callbacks and feeds are rejected", "[callback_cache]") {
  try {
    callback_cache bad({callback_function{}});
    FAIL("no error");
  } catch (const cache_error& e) {
    CHECK(e.code() == errc::invalid_argument);
    CHECK_THAT(e.what(), Catch::Contains("callback 1 is empty"));
  }
  try {
    callback_cache bad({}, {feed_actor{}});
    FAIL("no error");
  } catch (const cache_error& e) {
    CHECK(e.code() == errc::invalid_argument);
    CHECK_THAT(e.what(), Catch::Contains("feed 1 is empty"));
  }
}

TEST_CASE("futures and actors memoize through the dispatcher too", "[callback_cache]") {
  recorder<event> seen;
  auto small = [](const std::string&, const json& in) -> std::optional<json> {
    if (in.at("x").get<int>() < 10) return -1;
    return std::nullopt;
  };
  callback_cache cache({[&](const key& k, const json& v) { seen.add({k, v}); }}, {small});
  auto square = cache.memoize({.name = "square", .params = {"x"}}, [](int x) { return x * x; });
  CHECK(square.async(3).get() == -1);
  CHECK(square.async(12).get() == 144);
  // Inside an actor: the call never blocks the actor, and still asks the feeds.
  auto in_actor = [&](int x) {
    auto result = std::make_shared<std::promise<int>>();
    auto done = result->get_future();
    cache.system().spawn(
        [](caf::event_based_actor* self, decltype(square) sq, int arg,
           std::shared_ptr<std::promise<int>> out) {
          sq.request(self, arg).then([out](int v) { out->set_value(v); },
                                     [out](caf::error e) {
                                       out->set_exception(
                                           std::make_exception_ptr(to_cache_error(e)));
                                     });
        },
        square, x, result);
    REQUIRE(done.wait_for(20s) == std::future_status::ready);
    return done.get();
  };
  CHECK(in_actor(5) == -1);
  CHECK(in_actor(13) == 169);
  REQUIRE(seen.wait_for(2));
  auto items = seen.items();
  CHECK(items.at(0).entry["output"] == json(144));
  CHECK(items.at(1).entry["output"] == json(169));
}
