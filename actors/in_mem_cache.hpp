#pragma once

// in_mem_cache: a cache in RAM (the seed's InMemCache) — the fastest, and volatile.
//
//   ahvn::in_mem_cache cache;                 // creates and owns its actor system
//   ahvn::in_mem_cache cache(my_system);      // runs on the caller's system
//
// Concurrency and errors: see actors/cache.hpp.

#include <caf/fwd.hpp>

#include "actors/cache.hpp"

namespace ahvn {

class in_mem_cache : public cache {
public:
  /// A new cache on an actor system of its own.
  explicit in_mem_cache(cache_options opts = {});
  /// A new cache on `sys`, which must outlive the cache and its memoized functions.
  explicit in_mem_cache(caf::actor_system& sys, cache_options opts = {});
};

} // namespace ahvn
