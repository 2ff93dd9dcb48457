#pragma once

// sql_store: entries in an SQL table through SOCI 4 (the seed's DatabaseCache) on SQLite,
// PostgreSQL or MySQL/MariaDB, in AgentHeaven's layout, so that a Python AgentHeaven service and
// this store can share one database:
//
//   CREATE TABLE IF NOT EXISTS cache_orm (id VARCHAR(63) NOT NULL, content <type>,
//                                         PRIMARY KEY (id))
//   CREATE INDEX idx_cache_id ON cache_orm (id)
//
// `id` is the 40-digit key (key::to_padded()); `content` is json.dumps of the entry dict after
// AgentHeaven's bigint tagging (to_python_row_json()). <type> is JSONB on PostgreSQL, TEXT on
// SQLite and LONGTEXT on MySQL/MariaDB (TEXT holds only 64 KiB there; a table created with TEXT
// by someone else is used as it is and refuses longer entries with backend_failure).
// Reading undoes the tagging in output, expected and metadata; inputs stay as stored, since the
// key is computed from the tagged form.
//
// Caveats:
// - One session (one connection) per store for everything it does; a store is owned by one
//   actor and its functions are never called concurrently. reader() adds a pool of read-only
//   sessions for hits on callers' threads (backends/sql_reader.hpp). Several stores, processes or
//   Python services may share one database.
// - Transactions: put() is a delete followed by an insert in one transaction (as AgentHeaven
//   does); put_many() is ONE transaction for the whole batch (group commit); remove() and clear()
//   are single statements. Every write is committed before the call returns; flush() has nothing
//   to do. A write that meets a concurrent writer of the same key (unique violation, deadlock) is
//   retried once.
// - PostgreSQL JSONB keeps values, not text: it drops duplicate object keys, turns -0.0 into
//   0.0 and writes exponent forms in full (1e16 as 10000000000000000). Since every writer tags
//   integers beyond +-2^53, such an untagged literal is read back as the float it was. JSONB
//   refuses NaN, Infinity and "\u0000" in strings: put() then throws backend_failure.
// - SQLite: the file is switched to WAL mode; writers take the lock at BEGIN IMMEDIATE and wait
//   up to 10 s for another process, then fail with backend_failure. ":memory:" lives and dies
//   with the store. MySQL/MariaDB: the session runs in strict mode (an oversized value is an
//   error, never truncated) at READ COMMITTED; max_allowed_packet bounds an entry's size.
// - An unreadable row (content that is not JSON, not an entry dict, NULL, or an id that is not
//   a 40-digit key) is logged (ahvn::log::warning, with the URL and id), counted in
//   counters().errors, read as a miss and skipped by scan. size() counts rows, readable or not.
// - Reconnect policy (servers): when a request fails and the connection turns out to be lost,
//   the store reconnects at once and retries that request once (every operation is
//   idempotent; a retried remove() may report false for a row its first try removed). If the server
//   is still away the request throws backend_failure; later requests try one reconnect each, no
//   more often than every 50 ms, doubling up to 1 s (they fail fast in between). No background
//   thread, no loop; a connect attempt times out after 5 s.
// - Errors: a server that cannot be reached at construction (or refuses the credentials) is
//   cache_error(errc::unreachable, "<url>: cannot connect: <reason>"); any other failure is
//   cache_error(errc::backend_failure, "<url>: <operation>: <reason>"). Messages never hold the
//   password.

#include "ahvn/backends/sql_url.hpp"
#include "ahvn/backends/store.hpp"

#include <memory>

namespace ahvn {

class sql_store final : public store {
public:
  /// Connects, creates the table and index if missing, and prepares the statements.
  /// Throws cache_error: errc::invalid_argument for an unknown provider or empty database,
  /// errc::unreachable when a server cannot be reached or refuses the login,
  /// errc::backend_failure when the SQLite file cannot be opened or the table not created.
  explicit sql_store(sql_options options);
  ~sql_store() override;
  sql_store(const sql_store&) = delete;
  sql_store& operator=(const sql_store&) = delete;

  /// to_url() of the options: never holds the password.
  std::string url() const override;
  store_traits traits() const override { return {.blocks = true, .durable = true}; }
  entry_ptr get(const key& k) override;
  /// One query per 256 keys on servers (one round trip), one prepared lookup per key on SQLite.
  std::vector<entry_ptr> get_many(std::span<const key> ks) override;
  void put(const key& k, entry_ptr e) override;
  void put_many(std::span<const keyed_entry> entries) override;
  bool remove(const key& k) override;
  uint64_t clear() override;
  /// The number of rows in the table (unreadable rows included).
  uint64_t size() override;
  scan_page scan(const scan_request& req) override;
  store_counters counters() override;
  /// Hits on callers' threads through pooled read-only sessions (none for SQLite :memory:).
  std::shared_ptr<concurrent_reader> reader() override;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace ahvn
