#pragma once

// What the cache_actor conformance suite (tests/actors/cache_actor_conformance.hpp) and its
// factories share: the subject a factory makes, and requests with finite timeouts.

#include "ahvn/messages/protocol.hpp"
#include "ahvn/messages/ttl.hpp"
#include "tests/support/entries.hpp"
#include "tests/support/failing_store.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>

namespace ahvn::test {

using namespace std::chrono_literals;

struct subject_options {
  std::shared_ptr<failing_store_control> ctl = std::make_shared<failing_store_control>();
  std::shared_ptr<clock> clk = nullptr;
  std::chrono::milliseconds lease = std::chrono::seconds(60);
};

/// One cache actor under test; destroying it stops whatever the factory started.
class conformance_subject {
public:
  virtual ~conformance_subject() = default;
  virtual cache_actor actor() = 0;
};

/// Requests `xs` of `a` and waits (at most `timeout`) for an answer of type R or an error.
template <class R, class... Ts>
std::variant<R, caf::error> ask(caf::actor_system& sys, const cache_actor& a,
                                std::chrono::milliseconds timeout, Ts&&... xs) {
  caf::scoped_actor self{sys};
  std::optional<std::variant<R, caf::error>> out;
  self->request(a, caf::duration{timeout}, std::forward<Ts>(xs)...)
      .receive([&](R& r) { out.emplace(std::move(r)); },
               [&](caf::error& e) { out.emplace(std::move(e)); });
  return std::move(*out);
}

/// The answer R, failing the test on an error.
template <class R, class... Ts>
R must(caf::actor_system& sys, const cache_actor& a, Ts&&... xs) {
  auto r = ask<R>(sys, a, std::chrono::seconds(10), std::forward<Ts>(xs)...);
  if (auto* err = std::get_if<caf::error>(&r))
    FAIL("the actor answered " << to_cache_error(*err).what());
  return std::get<R>(std::move(r));
}

/// The error code the actor answered with, failing the test on a value.
template <class R, class... Ts>
errc must_fail(caf::actor_system& sys, const cache_actor& a, Ts&&... xs) {
  auto r = ask<R>(sys, a, std::chrono::seconds(10), std::forward<Ts>(xs)...);
  if (!std::holds_alternative<caf::error>(r)) FAIL("the actor answered with a value");
  return to_cache_error(std::get<caf::error>(r)).code();
}

/// A fetch from a plain thread that names `holder` (may be empty) and `lease_ms`.
inline fetch_request fetch_of(const keyed_entry& e, caf::actor holder = {}, uint32_t lease_ms = 0,
                              bool coalesce = true) {
  fetch_request req;
  req.k = e.k;
  req.func = e.entry->func;
  req.inputs = e.entry->inputs;
  req.coalesce = coalesce;
  req.lease_ms = lease_ms;
  req.holder.actor = std::move(holder);
  return req;
}

/// A fetch sent now whose answer is read later (a waiter).
class pending_fetch {
public:
  pending_fetch(caf::actor_system& sys, cache_actor a, fetch_request req)
      : result_(std::async(std::launch::async, [&sys, a, req = std::move(req)]() mutable {
          return ask<fetch_result>(sys, a, std::chrono::seconds(30), fetch_atom::value, req);
        })) {}

  /// The answer, if one arrives within `timeout`.
  std::optional<std::variant<fetch_result, caf::error>> get(std::chrono::milliseconds timeout) {
    if (result_.wait_for(timeout) != std::future_status::ready) return std::nullopt;
    return result_.get();
  }

private:
  std::future<std::variant<fetch_result, caf::error>> result_;
};

/// Waits until the actor has a flight waiter queued (a fetch that joined): polls stats.
inline void await_coalesced(caf::actor_system& sys, const cache_actor& a, uint64_t n) {
  for (int i = 0; i < 500; ++i) {
    if (must<cache_stats>(sys, a, stats_atom::value).coalesced >= n) return;
    std::this_thread::sleep_for(10ms);
  }
  FAIL("no fetch joined the flight");
}

} // namespace ahvn::test
