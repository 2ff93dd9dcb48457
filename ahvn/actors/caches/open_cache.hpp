#pragma once

// open_cache: a cache from a URL — what the CLI, servers and configuration files use. Every
// backend registered in backends/registry.hpp opens here (its URL forms are listed there):
//
//   mem:, none:, lmdb:PATH, json:PATH, sqlite:PATH, postgresql://..., mysql://...
//
// Errors: a malformed or unknown URL, or an unknown option, throws cache_error(errc::invalid_url)
// naming the URL (without any password) and the problem; a store that cannot open throws its own
// error (errc::backend_failure, errc::unreachable, ...), before any actor starts.

#include "ahvn/actors/caches/cache.hpp"
#include "ahvn/backends/registry.hpp" // parse_size

#include <cstdint>
#include <string_view>

#include <caf/fwd.hpp>

namespace ahvn {

/// Opens the cache `url` names, on the default actor system.
cache open_cache(std::string_view url, cache_options opts = {});

/// Opens the cache `url` names on `sys`, which must outlive it.
cache open_cache(caf::actor_system& sys, std::string_view url, cache_options opts = {});

} // namespace ahvn
