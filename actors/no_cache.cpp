#include "actors/no_cache.hpp"

#include "actors/system.hpp"
#include "backends/null_store.hpp"

namespace ahvn {

no_cache::no_cache(cache_options opts)
  : cache(make_core(std::make_unique<system_handle>(), std::make_unique<null_store>(), store_kind::stores_nothing,
                    std::move(opts))) {}

no_cache::no_cache(caf::actor_system& sys, cache_options opts)
  : cache(make_core(std::make_unique<system_handle>(sys), std::make_unique<null_store>(), store_kind::stores_nothing,
                    std::move(opts))) {}

} // namespace ahvn
