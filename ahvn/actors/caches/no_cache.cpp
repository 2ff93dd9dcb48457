#include "ahvn/actors/caches/no_cache.hpp"

#include "ahvn/actors/caches/make_client.hpp"
#include "ahvn/backends/null_store.hpp"

namespace ahvn {

// The null store says it stores nothing: memoized calls compute without asking its actor.

no_cache::no_cache(cache_options opts)
    : cache(detail::make_client(std::make_unique<null_store>(), nullptr, std::move(opts))) {}

no_cache::no_cache(caf::actor_system& sys, cache_options opts)
    : cache(detail::make_client(std::make_unique<null_store>(), &sys, std::move(opts))) {}

} // namespace ahvn
