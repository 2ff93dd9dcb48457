#pragma once

// The cache_actor conformance suite: what every actor that speaks the protocol
// (messages/protocol.hpp) must do — the backend actor, the dispatcher, and every actor that
// stands in front of another cache (a remote proxy, a router). Written once; each implementation
// defines AHVN_CACHE_ACTOR_FACTORIES (a list of factories) and includes this header
// (tests/actors/cache_actor_conformance_test.cpp):
//
//   struct my_factory {
//     // A fresh, empty cache actor over a store that fails on command (o.ctl), whose clock is
//     // o.clk and whose default lease is o.lease
//     (tests/actors/cache_actor_conformance_support.hpp). std::unique_ptr<conformance_subject>
//     make(caf::actor_system& sys, const subject_options& o);
//   };
//
// Every request here has a finite timeout, so a broken implementation fails instead of hanging.

#ifndef AHVN_CACHE_ACTOR_FACTORIES
#error "define AHVN_CACHE_ACTOR_FACTORIES before including cache_actor_conformance.hpp"
#endif

#include "tests/actors/cache_actor_conformance_support.hpp"

#include <catch2/catch.hpp>

namespace ahvn::test::actor_conformance {
using namespace ahvn;
using namespace ahvn::test;

TEMPLATE_TEST_CASE("cache_actor: reads, writes, removes, counts", "[cache_actor]",
                   AHVN_CACHE_ACTOR_FACTORIES) {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  TestType factory;
  auto s = factory.make(sys, {});
  auto a = s->actor();
  auto e1 = make_entry(1, "one"), e2 = make_entry(2, 0), e3 = make_entry(3, nullptr, "g");
  CHECK_FALSE(must<lookup>(sys, a, get_atom::value, e1.k));
  CHECK(must<ok_atom>(sys, a, put_atom::value, e1) == ok_atom::value);
  auto got = must<lookup>(sys, a, get_atom::value, e1.k);
  REQUIRE(got);
  CHECK(got.entry->output == json("one"));
  must<ok_atom>(sys, a, put_atom::value, std::vector<keyed_entry>{e2, e3});
  auto many = must<std::vector<lookup>>(sys, a, get_atom::value,
                                        std::vector<key>{e3.k, make_entry(9).k, e2.k});
  REQUIRE(many.size() == 3);
  CHECK(many[0].entry->output == json(nullptr)); /* a stored null is a value */
  CHECK_FALSE(many[1]);
  CHECK(many[2].entry->output == json(0));
  CHECK(must<bool>(sys, a, has_atom::value, e2.k));
  CHECK(must<uint64_t>(sys, a, size_atom::value) == 3);
  CHECK(must<bool>(sys, a, delete_atom::value, e2.k));
  CHECK_FALSE(must<bool>(sys, a, delete_atom::value, e2.k));
  CHECK_FALSE(must<bool>(sys, a, has_atom::value, e2.k));
  auto st = must<cache_stats>(sys, a, stats_atom::value);
  CHECK(st.sets == 3);
  CHECK(st.removes == 1);
  CHECK(st.entries == 2);
  CHECK(st.hits >= 3);
  CHECK(st.misses >= 2);
  CHECK(must<ok_atom>(sys, a, flush_atom::value) == ok_atom::value);
  CHECK(must<uint64_t>(sys, a, clear_atom::value) == 2);
  CHECK(must<uint64_t>(sys, a, size_atom::value) == 0);
  auto v = must<protocol_info>(sys, a, version_atom::value);
  CHECK(v.version == protocol_version);
  CHECK(v.interface == protocol_interface);
  CHECK_FALSE(check_version(v, "the subject"));
}

TEMPLATE_TEST_CASE("cache_actor: scans pages in key order, filtered by func", "[cache_actor]",
                   AHVN_CACHE_ACTOR_FACTORIES) {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  TestType factory;
  auto s = factory.make(sys, {});
  auto a = s->actor();
  std::vector<keyed_entry> all;
  for (int i = 0; i < 25; ++i)
    all.push_back(make_entry(i, i, i % 3 == 0 ? "g" : "f"));
  must<ok_atom>(sys, a, put_atom::value, all);
  for (std::string func : {std::string(), std::string("g")}) {
    scan_request req;
    req.limit = 4;
    req.func = func;
    std::vector<key> seen;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = must<scan_page>(sys, a, scan_atom::value, req);
      CHECK(page.entries.size() <= 4);
      for (auto& e : page.entries) {
        CHECK((func.empty() || e.entry->func == func));
        seen.push_back(e.k);
      }
      if (!page.more) break;
      req.after = page.last;
    }
    CHECK(std::is_sorted(seen.begin(), seen.end()));
    CHECK(seen.size() == (func.empty() ? 25u : 9u));
  }
}

TEMPLATE_TEST_CASE("cache_actor: single flight, complete and abandon check their lease",
                   "[cache_actor]", AHVN_CACHE_ACTOR_FACTORIES) {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  TestType factory;
  auto s = factory.make(sys, {});
  auto a = s->actor();
  auto e = make_entry(7, "seven");
  auto first = must<fetch_result>(sys, a, fetch_atom::value, fetch_of(e));
  REQUIRE(first.lease != 0);
  CHECK_FALSE(first.entry);
  /* without coalescing: no lease, no waiting */
  auto alone = must<fetch_result>(sys, a, fetch_atom::value, fetch_of(e, {}, 0, false));
  CHECK(alone.lease == 0);
  CHECK_FALSE(alone.entry);
  pending_fetch waiter(sys, a, fetch_of(e));
  await_coalesced(sys, a, 1);
  CHECK(must_fail<ok_atom>(sys, a, complete_atom::value, e, first.lease + 1000) ==
        errc::lease_lost);
  CHECK_FALSE(must<lookup>(sys, a, get_atom::value, e.k)); /* a stale complete stores nothing */
  CHECK(must_fail<ok_atom>(sys, a, abandon_atom::value, e.k, first.lease + 1000,
                           computation_failure{"x", nullptr, false}) == errc::lease_lost);
  CHECK(must<ok_atom>(sys, a, complete_atom::value, e, first.lease) == ok_atom::value);
  auto w = waiter.get(10s);
  REQUIRE(w);
  REQUIRE(std::holds_alternative<fetch_result>(*w));
  REQUIRE(std::get<fetch_result>(*w).entry);
  CHECK(std::get<fetch_result>(*w).entry->output == json("seven"));
  /* the flight is over: its lease is no longer current */
  CHECK(must_fail<ok_atom>(sys, a, complete_atom::value, e, first.lease) == errc::lease_lost);
  auto hit = must<fetch_result>(sys, a, fetch_atom::value, fetch_of(e));
  REQUIRE(hit.entry);
  CHECK(hit.lease == 0);
}

TEMPLATE_TEST_CASE("cache_actor: abandoning fails the waiters, or lets the next compute",
                   "[cache_actor]", AHVN_CACHE_ACTOR_FACTORIES) {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  TestType factory;
  auto s = factory.make(sys, {});
  auto a = s->actor();
  auto e = make_entry(8);
  auto first = must<fetch_result>(sys, a, fetch_atom::value, fetch_of(e));
  REQUIRE(first.lease != 0);
  pending_fetch failed(sys, a, fetch_of(e));
  await_coalesced(sys, a, 1);
  must<ok_atom>(sys, a, abandon_atom::value, e.k, first.lease,
                computation_failure{"the oracle is down", nullptr, false});
  auto f = failed.get(10s);
  REQUIRE(f);
  REQUIRE(std::holds_alternative<caf::error>(*f));
  auto ce = to_cache_error(std::get<caf::error>(*f));
  CHECK(ce.code() == errc::computation_failed);
  CHECK_THAT(ce.message(), Catch::Contains("the oracle is down"));
  /* a holder that gives up (retry) passes the lease to the next waiter */
  auto second = must<fetch_result>(sys, a, fetch_atom::value, fetch_of(e));
  REQUIRE(second.lease != 0);
  pending_fetch next(sys, a, fetch_of(e));
  await_coalesced(sys, a, 2);
  must<ok_atom>(sys, a, abandon_atom::value, e.k, second.lease,
                computation_failure{"", nullptr, true});
  auto n = next.get(10s);
  REQUIRE(n);
  REQUIRE(std::holds_alternative<fetch_result>(*n));
  CHECK(std::get<fetch_result>(*n).lease != 0);
  CHECK(must_fail<ok_atom>(sys, a, abandon_atom::value, e.k, second.lease,
                           computation_failure{"late", nullptr, false}) == errc::lease_lost);
  CHECK_FALSE(must<lookup>(sys, a, get_atom::value, e.k));
}

TEMPLATE_TEST_CASE("cache_actor: a dead holder or a lease that ran out passes the lease on",
                   "[cache_actor]", AHVN_CACHE_ACTOR_FACTORIES) {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  TestType factory;
  auto s = factory.make(sys, {});
  auto a = s->actor();
  auto e = make_entry(9);
  /* the holder is an actor named in the fetch: its death ends the minute-long lease */
  auto holder = sys.spawn([](caf::event_based_actor*) -> caf::behavior { return {[](int) {}}; });
  auto first = must<fetch_result>(sys, a, fetch_atom::value, fetch_of(e, holder, 60000));
  REQUIRE(first.lease != 0);
  pending_fetch waiter(sys, a, fetch_of(e, {}, 200));
  await_coalesced(sys, a, 1);
  caf::anon_send_exit(holder, caf::exit_reason::kill);
  auto w = waiter.get(10s);
  REQUIRE(w);
  REQUIRE(std::holds_alternative<fetch_result>(*w));
  auto taken = std::get<fetch_result>(*w).lease;
  CHECK(taken != 0);
  CHECK(taken != first.lease);
  /* a plain-thread holder (no actor) loses its lease when it runs out: 200 ms here */
  pending_fetch second(sys, a, fetch_of(e, {}, 200));
  await_coalesced(sys, a, 2);
  auto w2 = second.get(10s);
  REQUIRE(w2);
  REQUIRE(std::holds_alternative<fetch_result>(*w2));
  CHECK(std::get<fetch_result>(*w2).lease != 0);
  CHECK(must_fail<ok_atom>(sys, a, complete_atom::value, e, taken) == errc::lease_lost);
}

TEMPLATE_TEST_CASE("cache_actor: a set answers the waiters of its key", "[cache_actor]",
                   AHVN_CACHE_ACTOR_FACTORIES) {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  TestType factory;
  auto s = factory.make(sys, {});
  auto a = s->actor();
  auto e = make_entry(10, "ten");
  auto first = must<fetch_result>(sys, a, fetch_atom::value, fetch_of(e));
  REQUIRE(first.lease != 0);
  pending_fetch waiter(sys, a, fetch_of(e));
  await_coalesced(sys, a, 1);
  must<ok_atom>(sys, a, put_atom::value, e);
  auto w = waiter.get(10s);
  REQUIRE(w);
  REQUIRE(std::holds_alternative<fetch_result>(*w));
  REQUIRE(std::get<fetch_result>(*w).entry);
  CHECK(std::get<fetch_result>(*w).entry->output == json("ten"));
}

TEMPLATE_TEST_CASE("cache_actor: annotate, pop and remove_if are one request each", "[cache_actor]",
                   AHVN_CACHE_ACTOR_FACTORIES) {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  TestType factory;
  auto s = factory.make(sys, {});
  auto a = s->actor();
  auto e = make_entry(1, "draft");
  must<ok_atom>(sys, a, put_atom::value, e);
  annotate_request req{e.k, "f", json{{"i", 1}}, json("final"), json{{"by", "qa"}}};
  auto annotated = must<keyed_entry>(sys, a, annotate_atom::value, req);
  CHECK(annotated.k == e.k);
  CHECK(annotated.entry->expected == json("final"));
  CHECK(annotated.entry->output == json("draft"));
  CHECK(annotated.entry->metadata["by"] == "qa");
  CHECK(must<lookup>(sys, a, get_atom::value, e.k).entry->expected == json("final"));
  auto missing = make_entry(2);
  annotate_request none{missing.k, "f", json{{"i", 2}}, std::nullopt, nullptr};
  CHECK(must_fail<keyed_entry>(sys, a, annotate_atom::value, none) == errc::missing_entry);
  none.expected = json(42);
  auto created = must<keyed_entry>(sys, a, annotate_atom::value, none);
  CHECK(created.entry->output == json(42));
  CHECK(created.entry->expected == json(42));
  std::vector<keyed_entry> more;
  for (int i = 3; i < 10; ++i) {
    auto x = make_entry(i, i, i < 6 ? "g" : "h");
    auto copy = std::make_shared<cache_entry>(*x.entry);
    copy->metadata["annotation"] = json{{"team", i % 2 == 0 ? "even" : "odd"}};
    more.push_back({x.k, copy});
  }
  must<ok_atom>(sys, a, put_atom::value, more);
  CHECK(must<uint64_t>(sys, a, size_atom::value) == 9);
  auto popped = must<std::vector<keyed_entry>>(sys, a, pop_atom::value, uint64_t{1});
  REQUIRE(popped.size() == 1);
  CHECK_FALSE(must<bool>(sys, a, has_atom::value, popped[0].k));
  entry_filter by_func;
  by_func.func = "g";
  auto removed_g = must<uint64_t>(sys, a, remove_if_atom::value, by_func);
  entry_filter by_annotation;
  by_annotation.annotation = json{{"team", "even"}};
  auto removed_even = must<uint64_t>(sys, a, remove_if_atom::value, by_annotation);
  entry_filter by_pred;
  by_pred.predicate = std::make_shared<const std::function<bool(const cache_entry&)>>(
      [](const cache_entry& x) { return x.output == json(7); });
  auto removed_7 = must<uint64_t>(sys, a, remove_if_atom::value, by_pred);
  auto rest = must<std::vector<keyed_entry>>(sys, a, pop_atom::value, uint64_t{0});
  CHECK(1 + removed_g + removed_even + removed_7 + rest.size() == 9);
  CHECK(removed_g + (popped[0].entry->func == "g" ? 1 : 0) == 3);
  CHECK(must<uint64_t>(sys, a, size_atom::value) == 0);
}

TEMPLATE_TEST_CASE("cache_actor: a failing store is an error reply, counted, and expiry misses",
                   "[cache_actor][errors]", AHVN_CACHE_ACTOR_FACTORIES) {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  TestType factory;
  subject_options o;
  auto clk = std::make_shared<manual_clock>();
  o.clk = clk;
  auto s = factory.make(sys, o);
  auto a = s->actor();
  auto e = make_entry(1);
  o.ctl->fail_writes = true;
  CHECK(must_fail<ok_atom>(sys, a, put_atom::value, e) == errc::backend_failure);
  o.ctl->fail_writes = false;
  o.ctl->fail_reads = true;
  CHECK(must_fail<lookup>(sys, a, get_atom::value, e.k) == errc::backend_failure);
  CHECK(must_fail<fetch_result>(sys, a, fetch_atom::value, fetch_of(e)) == errc::backend_failure);
  o.ctl->fail_reads = false;
  CHECK(must<cache_stats>(sys, a, stats_atom::value).errors >= 3);
  auto ttl = std::make_shared<cache_entry>(*e.entry);
  ttl->metadata["ttl"] = 10;
  must<ok_atom>(sys, a, put_atom::value, keyed_entry{e.k, ttl});
  CHECK(must<lookup>(sys, a, get_atom::value, e.k));
  clk->advance(std::chrono::seconds(11));
  CHECK_FALSE(must<lookup>(sys, a, get_atom::value, e.k));
  CHECK_FALSE(must<bool>(sys, a, has_atom::value, e.k));
}

} // namespace ahvn::test::actor_conformance
