#include "ahvn/actors/caches/open_cache.hpp"

#include "ahvn/actors/caches/make_client.hpp"
#include "ahvn/backends/registry.hpp"

namespace ahvn {

cache open_cache(std::string_view url, cache_options opts) {
  return cache(detail::make_client(open_store(url), nullptr, std::move(opts)));
}

cache open_cache(caf::actor_system& sys, std::string_view url, cache_options opts) {
  return cache(detail::make_client(open_store(url), &sys, std::move(opts)));
}

} // namespace ahvn
