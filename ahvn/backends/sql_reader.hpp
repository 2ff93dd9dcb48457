#pragma once

// sql_reader: the SQL store's hit path on the caller's own thread. A small pool of read-only
// database sessions (opened on first use, one per concurrent caller, at most `max_sessions`);
// a caller claims a free session without a lock (compare-and-swap), runs the prepared
// `SELECT content FROM cache_orm WHERE id = ?` and decodes the hit value. All writes still go
// through the store's one session on its actor.
//
// Caveats: each pooled session is a database connection (count them against the server's
// limit). Committed writes are visible (autocommit reads). When every session is busy, or a
// session's server is unreachable, a read reports a miss or an error and the caller falls back
// to the store's actor. Not for SQLite's :memory: (every session would see another database).

#include "ahvn/backends/sql_url.hpp"
#include "ahvn/backends/store.hpp"

#include <memory>

namespace ahvn {

/// A concurrent_reader over the cache_orm table named by `opts`.
std::shared_ptr<concurrent_reader> make_sql_reader(const sql_options& opts,
                                                   size_t max_sessions = 16);

} // namespace ahvn
