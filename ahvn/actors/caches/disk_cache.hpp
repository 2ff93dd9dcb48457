#pragma once

// disk_cache: a cache in a local directory on LMDB (the seed's DiskCache) — persistent, large,
// shared by every process that opens the same directory.
//
//   ahvn::disk_cache cache("/tmp/cache_dir", {.size_limit = 32ull << 30});
//
// A memoized call that hits is answered on the calling thread with an LMDB read transaction
// (readers never block and never take the writer's lock). Misses and writes go to the cache's
// actor, which runs on its own thread and commits the writes waiting in its mailbox in one
// transaction (group commit). Past size_limit the oldest-written entries are evicted; see
// backends/lmdb_store.hpp for the exact policy and durability.
//
// Concurrency and errors: see actors/cache.hpp. Opening fails with cache_error naming the path.

#include "ahvn/actors/caches/cache.hpp"
#include "ahvn/backends/lmdb_store.hpp"

#include <string>

#include <caf/fwd.hpp>

namespace ahvn {

class disk_cache : public cache {
public:
  explicit disk_cache(std::string path, lmdb_options lmdb = {}, cache_options opts = {});
  disk_cache(caf::actor_system& sys, std::string path, lmdb_options lmdb = {},
             cache_options opts = {});
};

} // namespace ahvn
