#pragma once

// subjects: this project measured in a calling context (workload.context) on a backend:
//
//   store           the store itself on the bench thread: store::get (then the value out of the
//                   entry) and store::put — no actor, no memoize
//   actor           cache::get / cache::set from plain threads: a request to the backend actor
//                   and its reply (scoped_actor round trip)
//   memoize_sync    memoized<std::string(int64_t)> called from plain threads: fn(i)
//   memoize_sparse  the same with a pause between calls (workload.pause_us)
//   memoize_async   fn.async(i).get() from plain threads
//   memoize_actors  fn.request(self, i).then(...) from `callers` CAF actors on the cache's own
//                   actor system, `window` requests in flight each (actor_runner.cpp)
//   set_writers     cache::set from `callers` plain threads, each waiting for its write
//   set_actors      set requests from `callers` actors, `window` in flight each
//
// Every context computes the key from the inputs {"i": i} as memoize does; reads return the
// stored string. Caches are opened with open_cache(url) on a fresh scratch path (PostgreSQL:
// the table cache_orm, cleared first) and filled with `keys` entries before the run.
//
// Concurrency: a subject is driven by the harness's main thread (which starts the callers).

#include "ahvn/actors/caches/cache.hpp"
#include "bench/measure.hpp"

#include <memory>
#include <optional>
#include <string>

namespace ahvn::bench {

/// A subject: a contender that may expose the cache it measures.
class subject : public contender {
public:
  /// The cache measured, or nullptr for the store context.
  virtual cache* handle() { return nullptr; }
};

/// The URL open_cache() takes for `w.backend` at scratch path `dir`.
std::string cache_url(const workload& w, const std::string& dir,
                      const std::optional<std::string>& pg_url);

/// Opens and fills the subject of `w`. Throws std::runtime_error or cache_error on failure.
std::unique_ptr<subject> make_subject(const workload& w, const std::string& dir,
                                      const std::optional<std::string>& pg_url);

/// The memoized function every subject uses: returns value_of(i) and counts its calls.
using bench_fn = memoized<std::string(int64_t)>;

/// Runs the actor contexts (memoize_actors, set_actors) on `c`'s actor system: w.callers actors,
/// w.operations in total, w.window in flight each. Throws std::runtime_error if they do not
/// finish within 10 minutes.
batch run_actors(cache& c, const bench_fn& fn, const workload& w, uint64_t seed);

} // namespace ahvn::bench
