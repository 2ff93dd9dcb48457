#include "ahvn/actors/in_mem_cache.hpp"

namespace ahvn {

in_mem_cache::in_mem_cache(cache_options opts, memory_limits limits)
    : cache(make_core(std::make_unique<memory_store>(limits), nullptr, store_kind::in_memory,
                      std::move(opts))) {}

in_mem_cache::in_mem_cache(caf::actor_system& sys, cache_options opts, memory_limits limits)
    : cache(make_core(std::make_unique<memory_store>(limits), &sys, store_kind::in_memory,
                      std::move(opts))) {}

} // namespace ahvn
