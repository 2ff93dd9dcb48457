#include "ahvn/actors/caches/store_cache.hpp"

#include "ahvn/actors/caches/make_client.hpp"

namespace ahvn {

store_cache::store_cache(std::unique_ptr<store> s, cache_options opts)
    : cache(detail::make_client(std::move(s), nullptr, std::move(opts))) {}

store_cache::store_cache(caf::actor_system& sys, std::unique_ptr<store> s, cache_options opts)
    : cache(detail::make_client(std::move(s), &sys, std::move(opts))) {}

} // namespace ahvn
