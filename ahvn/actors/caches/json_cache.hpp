#pragma once

// json_cache: one JSON file per entry in a directory (the seed's JsonCache) — slow, readable,
// and the exact layout Python AgentHeaven writes, so both can share the directory.
//
//   ahvn::json_cache cache("/tmp/json_cache");
//
// Writes are atomic (temporary file, then rename); a file that cannot be read is reported with
// its path, counted, and treated as a miss. See backends/json_store.hpp.
//
// Concurrency and errors: see actors/cache.hpp.

#include "ahvn/actors/caches/cache.hpp"
#include "ahvn/backends/json_store.hpp"

#include <string>

#include <caf/fwd.hpp>

namespace ahvn {

class json_cache : public cache {
public:
  explicit json_cache(std::string dir, json_store_options files = {}, cache_options opts = {});
  json_cache(caf::actor_system& sys, std::string dir, json_store_options files = {},
             cache_options opts = {});
};

} // namespace ahvn
