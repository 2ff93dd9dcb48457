#pragma once

// store_cache: a cache over a store of your own — implement backends/store.hpp and get the
// backend actor, the handle and memoize for free (the seed's custom backends, guide 4.5.2).
// To open it from a URL too, register it (backends/registry.hpp).
//
// Concurrency and errors: see actors/cache.hpp.

#include "ahvn/actors/caches/cache.hpp"

#include <memory>

#include <caf/fwd.hpp>

namespace ahvn {

class store_cache : public cache {
public:
  /// A cache over `s` on the default actor system. The store's traits() say whether its calls
  /// block (its actor then gets a thread of its own and groups writes into batches) and whether
  /// it is durable.
  explicit store_cache(std::unique_ptr<store> s, cache_options opts = {});
  /// The same on `sys`, which must outlive the cache.
  store_cache(caf::actor_system& sys, std::unique_ptr<store> s, cache_options opts = {});
};

} // namespace ahvn
