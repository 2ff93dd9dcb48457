#pragma once

// callback_cache (the seed's CallbackCache) and observe(): event-driven caches built on the
// dispatcher (actors/dispatcher.hpp), used through the same handle and memoize as every cache.
//
//   ahvn::callback_cache cache(
//     {log_cache_set, monitor_memory},       // callbacks: (key, entry dict), on every set
//     {fast_computation, database_lookup});  // feeds: (func, inputs) -> value or nullopt
//   auto f = cache.memoize({.name = "expensive_function", .params = {"x"}}, expensive);
//   f(5);   // fast_computation answers: the function does not run
//   f(200); // no feed answers: the function runs; its set fires both callbacks
//
// callback_cache stores nothing: every call asks the feeds, and computes when none answers.
// exists/contains, remove and clear throw cache_error(errc::not_supported); size() is 0 and
// iteration is empty. set, add and memoize's stores fire the callbacks, with the cache's
// `exclude` applied to the inputs they receive. No single flight: concurrent callers of the same
// call each ask the feeds (and compute).
//
// observe(c, callbacks, feeds) puts the same dispatcher in front of any cache `c` (a disk_cache,
// a json_cache, ...): the new handle's sets are stored in `c` and fire the callbacks; its misses
// ask the feeds before the function runs, and a fed value is stored in `c` (a read-through from
// another source). Hits are answered by `c` as before (without callbacks or feeds); sets made
// through `c`'s own handles are not seen.
//
// Callbacks and feeds: plain functions or actor handles (actors/callback.hpp). Fed values are
// stored but do not fire the callbacks (a read from another source, not a set). A callback or
// feed that throws, fails, times out (feeds: callback_options::feed_timeout) or died is logged
// (messages/log.hpp, with the key) and skipped, and counted in stats().errors.
//
// Concurrency and errors: see actors/cache.hpp. Destroying the last handle waits for callback
// functions to finish the events already sent to them.

#include "ahvn/actors/caches/cache.hpp"
#include "ahvn/actors/callback.hpp"

#include <chrono>
#include <vector>

#include <caf/fwd.hpp>

namespace ahvn {

/// What only dispatcher caches take. Every member has a default.
struct callback_options {
  /// How long each feed may take before it is skipped (logged, counted).
  std::chrono::milliseconds feed_timeout = std::chrono::seconds(5);
};

class callback_cache : public cache {
public:
  /// A callback cache on the default actor system. Throws cache_error(errc::invalid_argument)
  /// if a callback or feed is empty.
  explicit callback_cache(std::vector<callback> callbacks = {}, std::vector<feed> feeds = {},
                          cache_options opts = {}, callback_options copts = {});
  /// The same on `sys`, which must outlive the cache and its memoized functions.
  callback_cache(caf::actor_system& sys, std::vector<callback> callbacks,
                 std::vector<feed> feeds = {}, cache_options opts = {},
                 callback_options copts = {});

private:
  static std::shared_ptr<detail::client> build(caf::actor_system* sys,
                                               std::vector<callback> callbacks,
                                               std::vector<feed> feeds, cache_options opts,
                                               callback_options copts);
};

/// A handle on `inner`'s cache with a dispatcher in front: sets through it fire `callbacks`,
/// misses through it ask `feeds` (see above). Same actor system and options as `inner`, which
/// stays alive as long as the new handle. Throws cache_error(errc::invalid_argument) if `inner`
/// is empty or a callback or feed is.
cache observe(const cache& inner, std::vector<callback> callbacks, std::vector<feed> feeds = {},
              callback_options copts = {});

} // namespace ahvn
