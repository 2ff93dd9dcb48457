#pragma once

// database_cache: a cache in a SQL table (the seed's DatabaseCache) on SQLite, PostgreSQL or
// MySQL/MariaDB, in AgentHeaven's layout (table cache_orm), so Python services share it.
//
//   ahvn::database_cache sqlite({.provider = "sqlite", .database = "cache.db"});
//   ahvn::database_cache pg("postgresql://user:secret@127.0.0.1:5432/mydb");
//
// The cache's actor owns the database session on its own thread and writes the sets waiting in
// its mailbox in one transaction. A server that cannot be reached at construction is a
// cache_error naming the URL (never the password); a server lost later makes requests fail
// while memoized functions keep computing, and the cache recovers when it returns. See
// backends/sql_store.hpp.
//
// Concurrency and errors: see actors/cache.hpp.

#include "ahvn/actors/caches/cache.hpp"
#include "ahvn/backends/sql_url.hpp"

#include <string_view>

#include <caf/fwd.hpp>

namespace ahvn {

class database_cache : public cache {
public:
  explicit database_cache(sql_options db, cache_options opts = {});
  /// From a URL: sqlite:PATH, sqlite::memory:, postgresql://..., mysql://...
  explicit database_cache(std::string_view url, cache_options opts = {});
  database_cache(caf::actor_system& sys, sql_options db, cache_options opts = {});
};

} // namespace ahvn
