// The constructors of disk_cache, json_cache and database_cache: each opens its store (errors
// surface here, before any actor starts) and hands it to a backend actor with a thread of its
// own (the stores say they block on I/O).

#include "ahvn/actors/caches/database_cache.hpp"
#include "ahvn/actors/caches/disk_cache.hpp"
#include "ahvn/actors/caches/json_cache.hpp"
#include "ahvn/actors/caches/make_client.hpp"
#include "ahvn/backends/sql_store.hpp"

namespace ahvn {

disk_cache::disk_cache(std::string path, lmdb_options lmdb, cache_options opts)
    : cache(detail::make_client(std::make_unique<lmdb_store>(std::move(path), lmdb), nullptr,
                                std::move(opts))) {}

disk_cache::disk_cache(caf::actor_system& sys, std::string path, lmdb_options lmdb,
                       cache_options opts)
    : cache(detail::make_client(std::make_unique<lmdb_store>(std::move(path), lmdb), &sys,
                                std::move(opts))) {}

json_cache::json_cache(std::string dir, json_store_options files, cache_options opts)
    : cache(detail::make_client(std::make_unique<json_store>(std::move(dir), files), nullptr,
                                std::move(opts))) {}

json_cache::json_cache(caf::actor_system& sys, std::string dir, json_store_options files,
                       cache_options opts)
    : cache(detail::make_client(std::make_unique<json_store>(std::move(dir), files), &sys,
                                std::move(opts))) {}

database_cache::database_cache(sql_options db, cache_options opts)
    : cache(detail::make_client(std::make_unique<sql_store>(std::move(db)), nullptr,
                                std::move(opts))) {}

database_cache::database_cache(std::string_view url, cache_options opts)
    : database_cache(parse_sql_url(url), std::move(opts)) {}

database_cache::database_cache(caf::actor_system& sys, sql_options db, cache_options opts)
    : cache(
          detail::make_client(std::make_unique<sql_store>(std::move(db)), &sys, std::move(opts))) {}

} // namespace ahvn
