#include "ahvn/actors/caches/in_mem_cache.hpp"

#include "ahvn/actors/caches/make_client.hpp"

namespace ahvn {

in_mem_cache::in_mem_cache(cache_options opts, memory_limits limits)
    : cache(detail::make_client(std::make_unique<memory_store>(limits), nullptr, std::move(opts))) {
}

in_mem_cache::in_mem_cache(caf::actor_system& sys, cache_options opts, memory_limits limits)
    : cache(detail::make_client(std::make_unique<memory_store>(limits), &sys, std::move(opts))) {}

} // namespace ahvn
