#include "actors/no_cache.hpp"

#include "backends/null_store.hpp"

namespace ahvn {

no_cache::no_cache(cache_options opts)
    : cache(make_core(std::make_unique<null_store>(), nullptr, store_kind::stores_nothing,
                      std::move(opts))) {}

no_cache::no_cache(caf::actor_system& sys, cache_options opts)
    : cache(make_core(std::make_unique<null_store>(), &sys, store_kind::stores_nothing,
                      std::move(opts))) {}

} // namespace ahvn
