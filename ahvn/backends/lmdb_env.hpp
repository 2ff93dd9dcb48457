#pragma once

// lmdb_env: the machinery behind lmdb_store. INTERNAL: include it only from the lmdb_*.cpp files
// (it is the one header besides them that sees lmdb.h).
//
// shared_env is one LMDB environment per directory per process, shared through a registry by
// every lmdb_store and reader on that directory. It owns a lock-free pool of reusable read
// transactions (MDB_NOTLS, mdb_txn_reset/renew), remaps the environment (growth, or adopting the
// size another process set) only while no transaction of this process is active, and holds the
// one function that turns LMDB errors into cache_error.
//
// Thread safety: every member may be called from any thread. A thread must not begin a
// transaction while it holds another one from the same shared_env (a remap would wait forever).

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <lmdb.h>

namespace ahvn::lmdb_detail {

/// Throws cache_error(errc::backend_failure, "<url>: <operation>: <mdb_strerror(rc)>[ (detail)]").
/// `rc` is an LMDB code or an errno value. Every LMDB failure of lmdb_store passes here.
[[noreturn]] void fail(const std::string& url, std::string_view operation, int rc,
                       std::string_view detail = {});

/// Calls fail() unless rc is 0.
inline void check(int rc, const std::string& url, std::string_view operation) {
  if (rc != 0) [[unlikely]]
    fail(url, operation, rc);
}

/// How an environment is opened (lmdb_options, validated).
struct env_config {
  uint64_t size_limit;
  uint64_t initial_map_size;
  bool durable;
};

class shared_env {
  struct slot;

public:
  /// The environment at `path` (created with its directory if needed), shared with every other
  /// opener in this process; the config of the first opener wins. Throws cache_error naming
  /// `url` if the directory or the environment cannot be created or opened.
  static std::shared_ptr<shared_env> open(const std::string& path, const std::string& url,
                                          const env_config& config);
  ~shared_env();
  shared_env(const shared_env&) = delete;
  shared_env& operator=(const shared_env&) = delete;

  MDB_env* env() const { return env_; }
  MDB_dbi entries() const { return entries_; } ///< key bytes -> header + encoded entry
  MDB_dbi order() const { return order_; }     ///< write sequence (8 bytes BE) -> key bytes
  const std::string& url() const { return url_; }
  uint64_t size_limit() const { return size_limit_; } ///< Rounded down to a whole page.
  uint64_t page_size() const { return page_size_; }
  bool durable() const { return durable_; }
  uint64_t map_size() const { return map_size_.load(); }

  /// A read transaction for the calling thread, from the pool; reset and returned to the pool
  /// on destruction. Hold it briefly.
  class read_txn {
  public:
    read_txn(read_txn&& other) noexcept : owner_(other.owner_), slot_(other.slot_) {
      other.slot_ = nullptr;
    }
    read_txn& operator=(read_txn&&) = delete;
    ~read_txn();
    MDB_txn* get() const { return slot_->txn; }

  private:
    friend class shared_env;
    read_txn(shared_env* owner, slot* s) : owner_(owner), slot_(s) {}
    shared_env* owner_;
    slot* slot_;
  };

  /// Begins a read transaction (adopting the map size another process set if LMDB asks).
  read_txn begin_read();

  /// A write transaction: aborted on destruction unless committed.
  class write_txn {
  public:
    write_txn(write_txn&& other) noexcept
        : owner_(other.owner_), slot_(other.slot_), txn_(other.txn_), epoch_(other.epoch_) {
      other.slot_ = nullptr;
      other.txn_ = nullptr;
    }
    write_txn& operator=(write_txn&&) = delete;
    ~write_txn() { abort(); }
    MDB_txn* get() const { return txn_; }
    /// Commits; returns 0 or LMDB's code (MDB_MAP_FULL, ...). The transaction is over either way.
    int commit();
    /// Aborts (if still open) and gives back the slot. Idempotent.
    void abort();
    /// The remap count when the transaction began (see grow()).
    uint64_t epoch() const { return epoch_; }

  private:
    friend class shared_env;
    write_txn(shared_env* owner, slot* s, MDB_txn* t, uint64_t epoch)
        : owner_(owner), slot_(s), txn_(t), epoch_(epoch) {}
    shared_env* owner_;
    slot* slot_;
    MDB_txn* txn_;
    uint64_t epoch_;
  };

  /// Begins a write transaction; blocks while another writer (any process) holds LMDB's lock.
  write_txn begin_write();

  /// Makes the map bigger after a write found it full: doubles it, capped at size_limit. Returns
  /// true if the map grew (or was remapped by someone else since `seen_epoch`), false if it is
  /// already at size_limit. REQUIRES: the calling thread holds no transaction of this env.
  bool grow(uint64_t seen_epoch);

  /// Pages a write could still get: the unused end of the map plus LMDB's free list.
  uint64_t free_pages();

private:
  shared_env(std::string url, std::string path, const env_config& config);
  void open_databases();
  /// Sets the map size (0: adopt the size recorded by another process) once no transaction of
  /// this process is active, unless a remap happened since `seen_epoch`.
  void remap(uint64_t bytes, uint64_t seen_epoch);
  slot* claim();
  void release(slot* s);

  static constexpr size_t pool_size = 64;

  struct alignas(64) slot {
    std::atomic<bool> busy{false}; ///< Held by one thread (a reader or a writer).
    MDB_txn* txn = nullptr;        ///< A reset read transaction; touched only by the holder.
  };

  std::string url_;
  std::string path_; ///< Canonical; the registry key.
  MDB_env* env_ = nullptr;
  MDB_dbi entries_ = 0;
  MDB_dbi order_ = 0;
  uint64_t size_limit_;
  uint64_t page_size_ = 4096;
  bool durable_;
  env_config config_;
  std::atomic<uint64_t> map_size_{0};
  std::atomic<uint64_t> epoch_{0};
  std::atomic<bool> remapping_{false};
  std::mutex remap_mutex_;
  std::array<slot, pool_size> slots_;
};

} // namespace ahvn::lmdb_detail
