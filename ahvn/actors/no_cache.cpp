#include "ahvn/actors/no_cache.hpp"

#include "ahvn/backends/null_store.hpp"

namespace ahvn {

namespace {

// Nothing is ever stored, so a memoized call need not ask the actor: it misses at once.
std::shared_ptr<detail::cache_core> bypassing(std::shared_ptr<detail::cache_core> core) {
  core->bypass_actor_on_memoize();
  return core;
}

} // namespace

no_cache::no_cache(cache_options opts)
    : cache(bypassing(make_core(std::make_unique<null_store>(), nullptr, store_kind::stores_nothing,
                                std::move(opts)))) {}

no_cache::no_cache(caf::actor_system& sys, cache_options opts)
    : cache(bypassing(make_core(std::make_unique<null_store>(), &sys, store_kind::stores_nothing,
                                std::move(opts)))) {}

} // namespace ahvn
