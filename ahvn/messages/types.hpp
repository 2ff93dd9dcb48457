#pragma once

// The plain payloads of the cache protocol (messages/protocol.hpp): no CAF here, so stores can
// use them without knowing about actors.

#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/key.hpp"

#include <cstdint>
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
