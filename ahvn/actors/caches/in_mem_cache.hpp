#pragma once

// in_mem_cache: a cache in RAM (the seed's InMemCache) — the fastest, and volatile.
//
//   ahvn::in_mem_cache cache;                               // default actor system, unbounded
//   ahvn::in_mem_cache cache(my_system);                    // runs on the caller's system
//   ahvn::in_mem_cache lru({}, {.max_entries = 10000});     // least-recently-used eviction
//
// A memoized call that hits is answered on the calling thread from a lock-free table that the
// cache's actor publishes (backends/memory_store.hpp): no message, no lock, no thread hand-off.
// Misses, writes, evictions and expiry go through the actor.
//
// Concurrency and errors: see actors/cache.hpp.

#include "ahvn/actors/caches/cache.hpp"
#include "ahvn/backends/memory_store.hpp"

#include <caf/fwd.hpp>

namespace ahvn {

class in_mem_cache : public cache {
public:
  /// A new cache on the default actor system (actors/system.hpp), bounded by `limits` (default:
  /// unbounded).
  explicit in_mem_cache(cache_options opts = {}, memory_limits limits = {});
  /// A new cache on `sys`, which must outlive the cache and its memoized functions.
  explicit in_mem_cache(caf::actor_system& sys, cache_options opts = {}, memory_limits limits = {});
};

} // namespace ahvn
