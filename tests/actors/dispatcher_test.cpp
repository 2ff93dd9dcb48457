// The dispatcher: order (callbacks get each set in registration order, each callback sees the
// sets in order, feeds are asked in order and the first value wins), observers in front of the
// memory store and each persistent store, and the side protocol's serialization.

#include "ahvn/actors/backend_actor.hpp"
#include "ahvn/actors/caches/callback_cache.hpp"
#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "ahvn/actors/caches/store_cache.hpp"
#include "ahvn/actors/dispatcher.hpp"
#include "ahvn/backends/json_store.hpp"
#include "ahvn/backends/lmdb_store.hpp"
#include "ahvn/backends/memory_store.hpp"
#include "ahvn/backends/sql_store.hpp"
#include "tests/actors/dispatch_test_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>

using namespace ahvn;
using namespace std::chrono_literals;
using test::at_scope_end;
using test::recorder;
using test::temp_dir;

namespace {

struct event {
  key k;
  json entry;
};

keyed_entry make_entry(const std::string& func, json inputs, json output) {
  auto e = std::make_shared<cache_entry>(
      cache_entry::from_args(func, std::move(inputs), std::move(output)));
  return {e->key(), e};
}

} // namespace

TEST_CASE("a set reaches the callbacks in registration order", "[dispatcher][order]") {
  // The deterministic scheduler runs actors one at a time, in the order they got messages: the
  // order in which the dispatcher hands a set to its callbacks is what the callbacks record.
  caf::actor_system_config cfg;
  add_message_types(cfg);
  cfg.set("scheduler.policy", caf::atom("testing"));
  caf::actor_system sys{cfg};
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  auto order = std::make_shared<std::vector<std::string>>(); // one thread under this scheduler
  auto make = [&](std::string name) {
    auto behavior = [order](std::string n) -> callback_actor::behavior_type {
      return {[order, n](set_event_atom, const keyed_entry& e) {
        order->push_back(n + e.entry->output->dump());
      }};
    };
    return sys.spawn(behavior, std::move(name));
  };
  auto a = make("a"), b = make("b"), c = make("c");
  backend_options bo;
  bo.sweep_interval = 0ms;
  auto inner = spawn_backend(sys, std::make_unique<memory_store>(), bo);
  auto d = spawn_dispatcher(sys, inner, {c, a, b}, {}); // registered: c, a, b
  at_scope_end stop([&] {
    for (const auto& h : {caf::actor_cast<caf::actor>(d), caf::actor_cast<caf::actor>(inner),
                          caf::actor_cast<caf::actor>(a), caf::actor_cast<caf::actor>(b),
                          caf::actor_cast<caf::actor>(c)})
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    sched.run();
  });
  sched.run();
  caf::anon_send(d, put_atom::value, make_entry("f", {{"x", 1}}, 1));
  caf::anon_send(
      d, put_atom::value,
      std::vector<keyed_entry>{make_entry("f", {{"x", 2}}, 2), make_entry("f", {{"x", 3}}, 3)});
  caf::anon_send(d, put_atom::value, make_entry("f", {{"x", 4}}, 4));
  sched.run();
  REQUIRE(order->size() == 12);
  auto at = [&](const std::string& s) {
    return std::find(order->begin(), order->end(), s) - order->begin();
  };
  for (int i = 1; i <= 4; ++i) {
    auto n = std::to_string(i);
    CHECK(at("c" + n) < at("a" + n));
    CHECK(at("a" + n) < at("b" + n));
  }
  // And each callback got the sets in the order they were made.
  for (std::string name : {"a", "b", "c"})
    for (int i = 1; i < 4; ++i)
      CHECK(at(name + std::to_string(i)) < at(name + std::to_string(i + 1)));
}

TEST_CASE("each callback sees pipelined sets in the order they were made", "[dispatcher][order]") {
  // A store that groups writes into transactions answers them in batches; the callbacks still
  // see every entry in the order of the sets.
  temp_dir dir("dispatch-order");
  store_cache inner(std::make_unique<json_store>(dir.path().string()));
  recorder<int> first, second;
  auto obs =
      observe(inner, {[&](const key&, const json& v) { first.add(v["output"].get<int>()); },
                      [&](const key&, const json& v) { second.add(v["output"].get<int>()); }});
  std::vector<int> expected;
  {
    caf::scoped_actor self{obs.system()};
    const int messages = 200;
    for (int j = 0; j < messages; ++j) {
      if (j % 10 == 9) {
        self->send(obs.actor(), put_atom::value,
                   std::vector<keyed_entry>{make_entry("g", {{"j", j}}, 1000 + j),
                                            make_entry("g", {{"j", -j}}, 2000 + j)});
        expected.push_back(1000 + j);
        expected.push_back(2000 + j);
      } else {
        self->send(obs.actor(), put_atom::value, make_entry("g", {{"j", j}}, j));
        expected.push_back(j);
      }
    }
    int acks = 0;
    for (int j = 0; j < messages; ++j)
      self->receive([&](ok_atom) { ++acks; }, [&](caf::error& err) { FAIL(caf::to_string(err)); },
                    caf::after(std::chrono::seconds(30)) >> [] { FAIL("no acknowledgement"); });
    CHECK(acks == messages);
  }
  REQUIRE(first.wait_for(expected.size()));
  REQUIRE(second.wait_for(expected.size()));
  CHECK(first.items() == expected);
  CHECK(second.items() == expected);
  CHECK(inner.size() == expected.size());
}

TEST_CASE("feeds are asked in order and the first value wins", "[dispatcher][order]") {
  recorder<std::string> asked;
  auto ask = [&](std::string name, std::optional<json> answer) {
    return [&asked, name, answer](const std::string&, const json&) {
      asked.add(name);
      return answer;
    };
  };
  callback_cache cache(
      {}, {ask("none", std::nullopt), ask("two", json("two")), ask("three", json("three"))});
  CHECK(cache.get("f", {{"x", 1}}) == json("two"));
  CHECK(cache.get("f", {{"x", 2}}) == json("two"));
  CHECK(asked.items() == std::vector<std::string>{"none", "two", "none", "two"});
}

namespace {

// What every observer must do, whatever the store behind it.
void check_observer(cache& inner) {
  recorder<event> seen;
  std::atomic<int> fed{0};
  auto lookup_feed = [&](const std::string& func, const json& in) -> std::optional<json> {
    ++fed;
    if (func == "lookup" && in.at("id").get<int>() < 100) return in["id"].get<int>() * 10;
    return std::nullopt;
  };
  cache obs = observe(inner, {[&](const key& k, const json& v) {
                        seen.add({k, v});
                      }},
                      {lookup_feed});
  std::atomic<int> calls{0};
  auto lookup = obs.memoize({.name = "lookup", .params = {"id"}}, [&](int id) {
    ++calls;
    return id * 10 + 1;
  });
  // A miss asks the feed before the function runs; the fed value is stored in the inner cache.
  CHECK(lookup(7) == 70);
  CHECK(calls == 0);
  CHECK(fed == 1);
  auto stored = inner.retrieve("lookup", {{"id", 7}});
  REQUIRE(stored);
  CHECK(stored->output == json(70));
  // Now it is a hit: neither the feed nor the function.
  CHECK(lookup(7) == 70);
  CHECK(fed == 1);
  CHECK(calls == 0);
  // No feed value: the function runs; its result is stored and seen by the callback.
  CHECK(lookup(500) == 5001);
  CHECK(calls == 1);
  CHECK(fed == 2);
  CHECK(inner.get("lookup", {{"id", 500}}) == json(5001));
  obs.set("note", {{"n", 1}}, "hello");
  CHECK(inner.get("note", {{"n", 1}}) == json("hello"));
  inner.set("direct", {{"n", 2}}, "not through the observer");
  obs.add(cache_entry::from_args("note", {{"n", 3}}, "last"));
  // Callbacks got the sets made through the observer, in order, and nothing else (a fed value
  // or a set through the inner handle would have come first).
  REQUIRE(seen.wait_for(3));
  auto items = seen.items();
  CHECK(items.at(0).k == compute_key("lookup", {{"id", 500}}));
  CHECK(items.at(0).entry["output"] == json(5001));
  CHECK(items.at(1).entry == json{{"func", "note"},
                                  {"inputs", {{"n", 1}}},
                                  {"output", "hello"},
                                  {"metadata", json::object()}});
  CHECK(items.at(2).entry["output"] == json("last"));
  // The rest is the inner cache's.
  CHECK(obs.size() == 5);
  CHECK(obs.exists("note", {{"n", 1}}));
  CHECK(obs.remove("note", {{"n", 1}}));
  CHECK_FALSE(inner.exists("note", {{"n", 1}}));
  CHECK(obs.size() == inner.size());
  CHECK(obs.stats().errors == 0);
  CHECK(seen.size() == 3);
}

// After the handles are gone, the store holds what the observer stored.
void check_persisted(cache reopened) {
  CHECK(reopened.get("lookup", {{"id", 7}}) == json(70));
  CHECK(reopened.get("lookup", {{"id", 500}}) == json(5001));
  CHECK(reopened.get("note", {{"n", 3}}) == json("last"));
  CHECK(reopened.size() == 4);
}

} // namespace

TEST_CASE("an observer in front of the memory store", "[dispatcher][observe]") {
  in_mem_cache inner;
  check_observer(inner);
}

TEST_CASE("an observer keeps its inner cache alive", "[dispatcher][observe]") {
  recorder<event> seen;
  cache obs = observe(in_mem_cache{}, {[&](const key& k, const json& v) { seen.add({k, v}); }});
  obs.set("f", {{"x", 1}}, 1);
  CHECK(obs.get("f", {{"x", 1}}) == json(1));
  CHECK(obs.size() == 1);
  REQUIRE(seen.wait_for(1));
}

TEST_CASE("an observer in front of the JSON directory store", "[dispatcher][observe]") {
  temp_dir dir("dispatch-json");
  {
    store_cache inner(std::make_unique<json_store>(dir.path().string()));
    check_observer(inner);
  }
  check_persisted(store_cache(std::make_unique<json_store>(dir.path().string())));
}

TEST_CASE("an observer in front of the LMDB store", "[dispatcher][observe]") {
  temp_dir dir("dispatch-lmdb");
  {
    store_cache inner(std::make_unique<lmdb_store>(dir.path().string()));
    check_observer(inner);
  }
  check_persisted(store_cache(std::make_unique<lmdb_store>(dir.path().string())));
}

TEST_CASE("an observer in front of the SQLite store", "[dispatcher][observe]") {
  temp_dir dir("dispatch-sqlite");
  auto url = "sqlite:" + dir.file("cache.db");
  {
    store_cache inner(std::make_unique<sql_store>(parse_sql_url(url)));
    check_observer(inner);
  }
  check_persisted(store_cache(std::make_unique<sql_store>(parse_sql_url(url))));
}

TEST_CASE("feed requests and answers survive serialization", "[dispatcher][remote]") {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  auto roundtrip = [&](auto x) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    REQUIRE_FALSE(sink(x));
    decltype(x) y;
    caf::binary_deserializer source{sys, buf};
    REQUIRE_FALSE(source(y));
    return y;
  };
  feed_request req{compute_key("f", {{"x", 1}}), "f", {{"x", 1}, {"s", "é"}}};
  auto req2 = roundtrip(req);
  CHECK(req2.k == req.k);
  CHECK(req2.func == "f");
  CHECK(req2.inputs == req.inputs);
  CHECK(roundtrip(feed_answer{json{{"a", {1, 2.5, nullptr}}}}).value ==
        json{{"a", {1, 2.5, nullptr}}});
  CHECK(roundtrip(feed_answer{json(nullptr)}).value == json(nullptr));
  CHECK_FALSE(roundtrip(feed_answer{}).value);
}
