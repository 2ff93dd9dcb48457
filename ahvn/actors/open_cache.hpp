#pragma once

// open_cache: a cache from a URL — what the CLI, servers and configuration files use.
//
//   mem:                         in_mem_cache; options max_entries=N, max_bytes=SIZE
//   none:                        no_cache
//   lmdb:PATH                    disk_cache; options size_limit=SIZE (default 32GiB),
//                                initial_map_size=SIZE, durable=true|false
//   json:PATH                    json_cache; option durable=true|false
//   sqlite:PATH, sqlite::memory: database_cache on SQLite
//   postgresql://user[:password]@host[:port]/db
//   mysql://user[:password]@host[:port]/db
//
// Options follow a '?' and are joined with '&' (lmdb:/var/cache/x?size_limit=1GiB). SIZE is a
// number of bytes with an optional unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB,
// TiB (powers of 1024).
//
// Errors: a malformed or unknown URL, or an unknown option, throws cache_error(errc::invalid_url)
// naming the URL (without any password) and the problem; a store that cannot open throws its own
// error (errc::backend_failure, errc::unreachable, ...).

#include "ahvn/actors/cache.hpp"

#include <cstdint>
#include <string_view>

#include <caf/fwd.hpp>

namespace ahvn {

/// Opens the cache `url` names, on an actor system of its own.
cache open_cache(std::string_view url, cache_options opts = {});

/// Opens the cache `url` names on `sys`, which must outlive it.
cache open_cache(caf::actor_system& sys, std::string_view url, cache_options opts = {});

/// Parses a SIZE ("32GiB", "100MB", "4096"). Throws cache_error(errc::invalid_argument).
uint64_t parse_size(std::string_view text);

} // namespace ahvn
