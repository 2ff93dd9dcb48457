#pragma once

// The plain payloads of the cache protocol (messages/protocol.hpp): no CAF here, so stores can
// use them without knowing about actors.

#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/key.hpp"

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace ahvn {

// -- payloads -------------------------------------------------------------------------------

/// The answer to a get: the entry, or nothing (a miss).
struct lookup {
  entry_ptr entry;

  explicit operator bool() const { return entry != nullptr; }
};

/// An entry with its key, as stores hold it. REQUIRES: k == entry->key().
struct keyed_entry {
  key k;
  entry_ptr entry;
};

/// Asks for one page of entries in ascending key order, starting after `after` (from the first
/// key when unset), at most `limit` entries, only those whose func equals `func` when non-empty.
struct scan_request {
  std::optional<key> after;
  uint32_t limit = 256;
  std::string func;
};

/// One page of a scan. `entries` may be shorter than the limit (even empty) while `more` is
/// true, when a filter skipped entries; continue from `last`.
struct scan_page {
  std::vector<keyed_entry> entries;
  key last;          ///< The last key examined; the next request continues after it.
  bool more = false; ///< False when the scan reached the end.
};

/// What memoize asks when its fast path missed: the entry under `k`, or the right to compute it
/// (single flight: callers that miss the same key at once share one computation).
struct fetch_request {
  key k;
  std::string func;             ///< The function's name (for feeds and messages).
  json inputs = json::object(); ///< Its inputs (for feeds).
  bool coalesce = true;         ///< Join a computation of the same key that is already running.
  uint32_t lease_ms = 0;        ///< How long this caller may compute before a waiter takes over;
                                ///< 0: the cache's default.
  bool watch_sender = false;    ///< The sender computes: if it dies, a waiter takes over at once.
};

/// The answer to a fetch: a hit, or a lease to compute.
struct fetch_result {
  entry_ptr entry;    ///< A hit: from the store, a feed, or another caller's computation.
  uint64_t lease = 0; ///< A miss: nonzero. Compute, then complete (set with the lease) or abandon.
};

/// Why a computation was abandoned: the message travels everywhere; the exception itself only
/// inside one process, so that every waiter there rethrows the very exception the function threw.
struct computation_failure {
  std::string what;
  std::exception_ptr error;
};

/// What a cache has counted since it started.
struct cache_stats {
  uint64_t hits = 0;        ///< Gets that found an entry.
  uint64_t misses = 0;      ///< Gets that found nothing (expired entries included).
  uint64_t sets = 0;        ///< Entries written.
  uint64_t removes = 0;     ///< Entries removed on request.
  uint64_t evictions = 0;   ///< Entries dropped to respect a size bound.
  uint64_t expirations = 0; ///< Entries dropped because their TTL passed.
  uint64_t coalesced = 0;   ///< Callers that waited for another caller's computation.
  uint64_t errors = 0;      ///< Failed requests (storage errors, feeds or callbacks that threw).
  uint64_t entries = 0;     ///< Entries held now (as far as the store knows cheaply).

  /// The counters as a JSON object (for cachectl and logs).
  json to_json() const;
};

} // namespace ahvn
