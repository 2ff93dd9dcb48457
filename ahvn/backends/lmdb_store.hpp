#pragma once

// lmdb_store: entries in an LMDB environment (a directory holding data.mdb and lock.mdb): the
// store behind disk_cache. Keys are key::bytes() (16 bytes big-endian, so LMDB's byte order is
// numeric key order); values are a 9-byte header (format byte, write sequence number) followed
// by encode_entry()'s bytes, decoded straight from the map (a reader decodes only the hit
// value). A second database maps each write sequence number to its key: the write order that
// eviction follows.
//
// Caveats (LMDB's rules, and how this store lives with them):
// - One environment per directory per process. LMDB forbids opening one environment twice in a
//   process, so every lmdb_store and reader on the same directory shares one environment (a
//   process-wide registry keyed by the canonical path). The options of the first opener win; a
//   later opener with other options is told so in the log. Several PROCESSES may use one
//   directory at once: LMDB's lock file serializes their writers and tracks their readers.
// - Threads: the store is owned by one thread at a time (store.hpp). Any thread may read through
//   reader() at the same time: each read is a short read transaction on the calling thread, from
//   a lock-free pool of reusable transactions owned by the environment, so threads may come and
//   go freely. A read waits only while this process remaps the environment (the map grows).
// - No long read transactions: the store never holds one between calls. A read transaction held
//   elsewhere on the directory (another process stuck in a read) keeps LMDB from reusing freed
//   pages; the file then fills up and eviction cannot make room.
// - Durability: with durable = true every commit is synced to disk before put returns. With
//   durable = false (MDB_NOSYNC|MDB_NOMETASYNC) a crashed process loses nothing, but an
//   operating-system crash or power loss may lose the last writes or, as LMDB warns, damage the
//   file; flush() syncs.
// - Size: the map starts at initial_map_size and doubles as entries arrive, up to size_limit;
//   data.mdb never grows past size_limit (a directory written earlier with a larger limit keeps
//   its size; it does not shrink). At the limit the OLDEST-WRITTEN entries are evicted (an
//   overwrite counts as a new write; order is kept across processes), in committed transactions
//   of their own, and counted in counters().evictions: proactively, to keep a reserve of free
//   pages (1/16 of the limit, at most 256 MiB; LMDB copies pages on write and needs fresh pages
//   even to delete), and whenever a write still finds the map full, until it fits. So the
//   entries held are somewhat less than size_limit, and a large entry arriving among many small
//   ones may evict many of them (LMDB needs contiguous free pages for it). An entry whose encoded
//   size exceeds half of size_limit is refused up front with cache_error(errc::invalid_argument);
//   nothing is evicted or lost for it. A put_many batch is one transaction, unless it exceeds a
//   quarter of size_limit: then it is written in several, in order, each all-or-nothing.
// - Expiry: get/scan return what is stored (the backend actor judges expiry); the reader's
//   read_value() and sweep_expired() read the expiry from the stored header without decoding.
// - Errors: every LMDB failure becomes cache_error(errc::backend_failure,
//   "lmdb:<path>: <operation>: <LMDB's message>"). A stored value that does not decode is logged
//   (messages/log.hpp, naming the path and key), counted in counters().errors and treated as
//   absent; scan() skips it.

#include "ahvn/backends/store.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace ahvn {

/// How an LMDB directory is opened. Every option has its default.
struct lmdb_options {
  uint64_t size_limit = 32ull << 30;       ///< Bytes; the map never grows past it (default 32 GiB).
  uint64_t initial_map_size = 64ull << 20; ///< The map starts here (capped at size_limit).
  bool durable = true;                     ///< Sync each commit; false: MDB_NOSYNC|MDB_NOMETASYNC.
};

namespace lmdb_detail {
class shared_env;
}

class lmdb_store final : public store {
public:
  /// Opens (creating the directory and the environment if needed) the LMDB environment at
  /// `path`. Throws cache_error(errc::backend_failure) naming the path if it is not a directory,
  /// cannot be created or opened, or holds something that is not an LMDB environment;
  /// errc::invalid_argument if size_limit is below 256 KiB.
  explicit lmdb_store(std::string path, lmdb_options options = {});
  ~lmdb_store() override;
  lmdb_store(const lmdb_store&) = delete;
  lmdb_store& operator=(const lmdb_store&) = delete;

  /// "lmdb:" + path, as given.
  std::string url() const override;
  store_traits traits() const override { return {.blocks = true, .durable = true}; }
  entry_ptr get(const key& k) override;
  /// One read transaction for all keys.
  std::vector<entry_ptr> get_many(std::span<const key> ks) override;
  void put(const key& k, entry_ptr e) override;
  /// All entries in ONE write transaction (group commit): after a failure none is stored.
  void put_many(std::span<const keyed_entry> entries) override;
  bool remove(const key& k) override;
  uint64_t clear() override;
  uint64_t size() override;
  bool contains(const key& k) override;
  scan_page scan(const scan_request& req) override;
  /// Removes the expired entries among the next `limit` after `cursor`, judged from the stored
  /// header (no decoding), in one write transaction taken only if some expired.
  uint64_t sweep_expired(time_point now, std::optional<key>& cursor, uint32_t limit) override;
  /// Syncs the environment to disk (a no-op cost when durable).
  void flush() override;
  /// entries; bytes = pages used by the entries and their write-order index; evictions,
  /// expirations and errors since this store opened (errors include those its readers met).
  store_counters counters() override;
  /// A reader usable from any thread; it keeps the environment open after the store is gone.
  std::shared_ptr<concurrent_reader> reader() override;

private:
  void write_encoded(std::span<const keyed_entry> entries, const char* operation);
  /// Runs `apply(MDB_txn*)` in a write transaction, growing the map or evicting and retrying
  /// while LMDB reports the map full. `need` estimates the bytes the write adds.
  template <class Apply>
  void run_write(const char* operation, uint64_t need, Apply&& apply);
  /// Evicts the oldest entries, about `target_bytes` of them, in committed transactions of
  /// their own.
  /// Returns how many order records it removed (0: nothing left to evict).
  uint64_t evict_oldest(uint64_t target_bytes);
  /// Commits a tiny transaction so that LMDB may reuse the pages the last one freed.
  void release_freed_pages();
  /// At size_limit, keeps a reserve of free pages (LMDB needs fresh pages even to delete) by
  /// evicting the oldest entries when it runs low. `written` is what the last write added.
  void keep_room(uint64_t written);

  std::string url_;
  std::shared_ptr<lmdb_detail::shared_env> env_;
  std::shared_ptr<std::atomic<uint64_t>> errors_;
  uint64_t evictions_ = 0;
  uint64_t expirations_ = 0;
  uint64_t unchecked_bytes_ = 0; ///< Bytes that may be written before keep_room() measures.
};

} // namespace ahvn
