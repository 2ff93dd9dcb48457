#include "ahvn/actors/store_cache.hpp"

namespace ahvn {

store_cache::store_cache(std::unique_ptr<store> s, bool blocking, cache_options opts)
    : cache(make_core(std::move(s), nullptr,
                      blocking ? store_kind::blocking : store_kind::in_memory, std::move(opts))) {}

store_cache::store_cache(caf::actor_system& sys, std::unique_ptr<store> s, bool blocking,
                         cache_options opts)
    : cache(make_core(std::move(s), &sys, blocking ? store_kind::blocking : store_kind::in_memory,
                      std::move(opts))) {}

} // namespace ahvn
