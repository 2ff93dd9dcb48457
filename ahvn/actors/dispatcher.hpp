#pragma once

// The dispatcher: a cache actor in front of another cache actor (the inner one) that fans every
// set out to callback actors and asks feed actors on a miss — the seed's CallbackCache, and an
// observer on any cache (actors/callback_cache.hpp holds the handles).
//
// It speaks cache_actor (messages/protocol.hpp) and forwards every message to the inner actor
// without waiting for it, so callers are answered by the inner backend. Its own duties:
//
// - Sets: `put` (one entry, many), `complete` (a set with a lease) and `annotate` (whose event
//   is the entry the inner actor stored). Once the inner actor
//   acknowledged a write, one set event per entry goes to every live callback, in registration
//   order; events leave in the order the writes arrived, whatever order the inner actor
//   answers in. A write the inner actor refused fires nothing. Nobody waits for a callback.
// - Fetches (memoize's miss path, and cache::get/retrieve): a hit is answered at once. A miss
//   asks the live feeds one after the other, each with `feed_timeout`; the first value wins: the
//   entry {func, inputs, output = value} completes the inner actor's lease (so it is stored, and
//   callers waiting for that key get it) and is the answer. A feed that answers "no value" passes
//   to the next; one that fails or times out is logged, counted in stats().errors and skipped.
//   If none has a value, the caller gets the inner actor's lease and computes.
//   Fed values do NOT fire the callbacks: a feed answer is a read from another source, not a
//   set (as in the seed, where a fed value returns without a set); the entry is still stored.
//   Plain gets by key carry no func and inputs: they never ask feeds.
// - stores_nothing (callback_cache): has, remove, clear and remove_if answer
//   errc::not_supported; size is 0, scan and pop are empty.
// - stats: the inner actor's counters, plus callback and feed failures in `errors`.
//
// Lifetime: callbacks and feeds given as plain functions get actors of their own (detached:
// one thread each), owned by the dispatcher: when it quits, they finish the events already sent
// to them and quit. Actors given by handle are monitored, not owned: one that died is logged
// once and skipped. The dispatcher does not own the inner actor; it quits when the inner actor
// goes down. A fetch names its lease holder itself (fetch_request::holder), so the inner actor
// watches the real holder even when the fetch reaches it from the dispatcher.
//
// Concurrency: an actor; any number of clients. Errors: the inner actor's, passed through; a
// request the inner actor does not answer within request_timeout fails with sec::request_timeout.

#include "ahvn/actors/callback.hpp"
#include "ahvn/messages/protocol.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

namespace ahvn {

struct dispatcher_options {
  /// Names the dispatcher in log lines and errors ("callback_cache", "observer of lmdb:/x").
  std::string name = "dispatcher";
  /// Input names left out of the entries callbacks receive (the cache's exclude).
  std::vector<std::string> exclude = {};
  /// Callback_cache semantics: has/remove/clear are not supported, size 0, scan empty.
  bool stores_nothing = false;
  /// How long each feed may take before it is skipped.
  std::chrono::milliseconds feed_timeout = std::chrono::seconds(5);
  /// How long the inner actor may take to answer a forwarded request.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  /// The inner cache's default lease: a forwarded fetch may wait this long plus request_timeout
  /// (for another caller's computation).
  std::chrono::milliseconds default_lease = std::chrono::seconds(60);
};

/// Spawns a dispatcher in front of `inner` on `sys`, with `callbacks` and `feeds` in order.
/// Throws cache_error(errc::invalid_argument) if `inner`, a function or a handle is empty.
cache_actor spawn_dispatcher(caf::actor_system& sys, cache_actor inner,
                             std::vector<callback> callbacks, std::vector<feed> feeds,
                             dispatcher_options opts = {});

} // namespace ahvn
