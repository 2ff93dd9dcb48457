#pragma once

// floors: the least code that does the same job as the library, measured in the same run so
// that every row is a ratio to it. Every floor builds the inputs object {"i": i} and computes
// the AgentHeaven key (canonical JSON + MD5) exactly as memoize does, then:
//
//   mem, none   a std::unordered_map<key, std::string> lookup copying the value (in-thread)
//   lmdb        a raw LMDB get (mdb_txn_renew / mdb_get / mdb_txn_reset) of the same stored
//               bytes lmdb_store keeps (9-byte header + encode_entry), copied out; writes are
//               one mdb_txn_begin/put/commit each (synced unless the workload is not durable)
//   sqlite      a raw prepared SQLite select of the same row (table cache_orm, WAL), copied out;
//               writes an INSERT OR REPLACE in autocommit
//   postgresql  a raw libpq prepared select (PQexecPrepared) of the same JSONB row on the same
//               server (table bench_floor), copied out; writes a prepared upsert
//   json        open/read/close of the entry's file (AgentHeaven's layout); writes a temporary
//               file and a rename (fsyncs when durable)
//
// In memoize workloads with misses, a floor read that misses stores the value (one write, as
// above) and returns it, as memoize computes and stores; its label then ends in "+store".
//
// The storage floors return the stored bytes undecoded (raw_values()), the memory floor the
// value itself. Each floor keeps its own copy of the entries in the workload's scratch space.
//
// Concurrency: the memory and LMDB floors may be run from several threads; the SQL and file
// floors from one (the harness runs them so).

#include "bench/measure.hpp"

#include <memory>
#include <optional>
#include <string>

namespace ahvn::bench {

/// A floor with a description of what it does.
struct floor_runner {
  std::unique_ptr<op_runner> runner;
  std::string label;
};

/// Builds and fills the floor for `w.backend` (w.keys entries of w.value_size bytes) in `dir`
/// (a fresh path), or on the PostgreSQL server at `pg_url`. Throws std::runtime_error on
/// failure.
floor_runner make_floor(const workload& w, const std::string& dir,
                        const std::optional<std::string>& pg_url);

/// Whether the floor of `backend` may run on several threads.
bool floor_is_concurrent(const std::string& backend);

// The storage floors (each in its own file).
std::unique_ptr<op_runner> make_lmdb_floor(const workload& w, const std::string& dir);
std::unique_ptr<op_runner> make_sqlite_floor(const workload& w, const std::string& path);
std::unique_ptr<op_runner> make_pg_floor(const workload& w, const std::string& url);
std::unique_ptr<op_runner> make_file_floor(const workload& w, const std::string& dir);

} // namespace ahvn::bench
