#pragma once

// no_cache: always misses and stores nothing (the seed's NoCache) — every memoized call
// computes. For tests and for switching caching off without changing code.
//
// Concurrency and errors: see actors/cache.hpp.

#include "ahvn/actors/caches/cache.hpp"

#include <caf/fwd.hpp>

namespace ahvn {

class no_cache : public cache {
public:
  /// A new no-op cache on the default actor system.
  explicit no_cache(cache_options opts = {});
  /// A new no-op cache on `sys`, which must outlive it.
  explicit no_cache(caf::actor_system& sys, cache_options opts = {});
};

} // namespace ahvn
