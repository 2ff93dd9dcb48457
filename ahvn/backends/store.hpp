#pragma once

// store: the interface every storage engine implements — memory, LMDB, SQL, JSON directory,
// none. A store is plain, synchronous C++ and knows nothing of actors.
//
// Concurrency: a store is owned by exactly one actor (or one thread in tests); none of its
// functions may be called concurrently with another, except through the concurrent_reader a
// store may hand out (see reader()).
//
// Errors: a miss is an ordinary result (nullptr / false), never an error. A failure of the
// storage itself (I/O, database, full disk, corrupt bytes) throws cache_error with errc
// backend_failure or corrupt_entry and a message that names the store (its URL) and the
// operation. After a failed write the previous value stays readable. Each store converts its
// library's errors in one place. An entry that cannot be decoded is reported (messages/log.hpp),
// counted in store_counters::errors and treated as absent.

#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/clock.hpp"
#include "ahvn/messages/error.hpp"
#include "ahvn/messages/key.hpp"
#include "ahvn/messages/types.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace ahvn {

/// What a store knows about itself cheaply, for stats.
struct store_counters {
  uint64_t entries = 0;     ///< Entries held now.
  uint64_t bytes = 0;       ///< Bytes used by entries (the store's own measure), 0 if unknown.
  uint64_t evictions = 0;   ///< Entries dropped to respect a bound since the store opened.
  uint64_t expirations = 0; ///< Expired entries dropped since the store opened.
  uint64_t errors = 0;      ///< Unreadable entries met (reported and skipped) since it opened.
};

/// How a store behaves, for the actor that owns it and the callers in front of it. Declared by
/// the store itself (store::traits()); its caller-thread read path is store::reader().
struct store_traits {
  /// Its calls block on I/O (files, LMDB commits, SQL round trips): its actor gets a thread of
  /// its own (CAF's workers never stall) and groups the writes waiting in its mailbox into one
  /// transaction.
  bool blocks = false;
  /// Its entries outlive the process (as far as the store syncs them, the machine too): a
  /// memoized call on a plain thread returns once its result is written.
  bool durable = false;
  /// It keeps nothing (none:): a memoized call computes without asking its actor, and callers
  /// never wait for one another.
  bool stores_nothing = false;
};

/// A read path that any thread may use at the same time as the owner writes: memoize's hit
/// path, with no thread hand-off. A read sees either the old or the new value of a key, never a
/// mix. Stores that cannot offer this return nullptr from store::reader().
class concurrent_reader {
public:
  virtual ~concurrent_reader();

  /// Calls `visit(value)` with the hit value (expected if set, else output) of the entry under
  /// `k` and returns true; returns false without calling it on a miss: no entry, an entry that
  /// expired at `now`, or one with neither output nor expected. The reference is valid only
  /// during the call. Never blocks on the owner. Throws cache_error on storage failure, and
  /// whatever `visit` throws.
  template <class F>
  bool read_value(const key& k, time_point now, F&& visit) {
    using fn = std::remove_reference_t<F>;
    void* ctx = const_cast<void*>(static_cast<const void*>(std::addressof(visit)));
    return read_value_impl(k, now, ctx, [](void* f, const json& v) { (*static_cast<fn*>(f))(v); });
  }

  /// The whole entry under `k` if it is live at `now`, else nullptr — also when the reader
  /// cannot answer right now (every pooled session busy): the caller then asks the owner. For
  /// manual reads (cache::get, retrieve, find). Never blocks on the owner. Throws cache_error on
  /// storage failure.
  virtual entry_ptr read_entry(const key& k, time_point now) = 0;

  /// True if a live entry is stored under `k` (the default reads it).
  virtual bool contains(const key& k, time_point now) { return read_entry(k, now) != nullptr; }

protected:
  using visit_fn = void (*)(void*, const json&);
  virtual bool read_value_impl(const key& k, time_point now, void* ctx, visit_fn fn) = 0;
};

class store {
public:
  virtual ~store();

  /// A name for messages: the store's URL ("mem:", "lmdb:/var/cache/x", ...).
  virtual std::string url() const = 0;

  /// How this store behaves (see store_traits). The default: calls that never block, a store
  /// that does not outlive the process.
  virtual store_traits traits() const;

  /// The entry stored under `k`, or nullptr if there is none. Stores do not interpret expiry
  /// here: the backend actor does (see sweep_expired).
  virtual entry_ptr get(const key& k) = 0;

  /// One result per key, in order. The default calls get() for each key.
  virtual std::vector<entry_ptr> get_many(std::span<const key> ks);

  /// Stores `e` under `k`, replacing any entry there. REQUIRES: k == e->key().
  virtual void put(const key& k, entry_ptr e) = 0;

  /// Stores every entry, in order (a later duplicate key wins), as one transaction where the
  /// store has transactions: after a failure none or all of them are stored. The default calls
  /// put() for each.
  virtual void put_many(std::span<const keyed_entry> entries);

  /// Removes the entry under `k`; returns true if there was one.
  virtual bool remove(const key& k) = 0;

  /// Removes every entry; returns how many were removed.
  virtual uint64_t clear() = 0;

  /// The number of entries stored.
  virtual uint64_t size() = 0;

  /// Records a use of the entry under `k` (a hit), for stores that evict the least recently
  /// used. get() itself does not count as a use, so inspection leaves the order alone. The
  /// default does nothing.
  virtual void touch(const key& k);

  /// True if an entry is stored under `k`. The default calls get().
  virtual bool contains(const key& k);

  /// One page of entries in ascending key order (see scan_request). Entries that cannot be read
  /// are skipped (and reported by the store), never fatal to the scan.
  virtual scan_page scan(const scan_request& req) = 0;

  /// Makes every earlier write durable. The default does nothing (nothing is buffered).
  virtual void flush();

  /// Drops up to `limit` entries whose expiry (metadata.expires_at, messages/ttl.hpp) is not
  /// after `now`; returns how many. The default scans pages from `cursor` (updated; reset to
  /// nullopt when the scan wrapped around) so a large store is swept a slice at a time.
  virtual uint64_t sweep_expired(time_point now, std::optional<key>& cursor, uint32_t limit);

  /// Counters for stats.
  virtual store_counters counters() = 0;

  /// A reader other threads may use concurrently with the owner, or nullptr. The reader stays
  /// valid as long as the returned pointer, even after the store is destroyed.
  virtual std::shared_ptr<concurrent_reader> reader();
};

} // namespace ahvn
