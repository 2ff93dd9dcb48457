#pragma once

// store_cache: a cache over a store of your own — implement backends/store.hpp and get the
// backend actor, the handle and memoize for free (the seed's custom backends, guide 4.5.2).
//
// Concurrency and errors: see actors/cache.hpp.

#include "ahvn/actors/cache.hpp"

#include <memory>

#include <caf/fwd.hpp>

namespace ahvn {

class store_cache : public cache {
public:
  /// A cache over `s` on an actor system of its own. Set `blocking` if the store's calls block
  /// (I/O): its actor then gets its own thread and writes are grouped into batches.
  explicit store_cache(std::unique_ptr<store> s, bool blocking = false, cache_options opts = {});
  /// The same on `sys`, which must outlive the cache.
  store_cache(caf::actor_system& sys, std::unique_ptr<store> s, bool blocking = false,
              cache_options opts = {});
};

} // namespace ahvn
