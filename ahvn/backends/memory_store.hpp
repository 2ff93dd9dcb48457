#pragma once

// memory_store: entries in RAM (the seed's InMemCache), optionally bounded by entry count and
// bytes with least-recently-used eviction.
//
// Entries are held encoded (encode_entry: one allocation each, ~1.3x their canonical JSON) in a
// hash table (backends/memory_table.hpp) that one owner writes and any thread may read through
// reader() without locks or hand-offs: that is memoize's hit path. A reader's hit bumps the
// entry's LRU stamp in bounded stores, so eviction order counts those hits too.
//
// Caveats: volatile — everything is lost when the store goes. Owned by one actor; other threads
// use reader() only. Memory retired by the owner is freed by collect() once readers moved on:
// the owner calls it after writes (the backend actor does this for you).

#include "ahvn/backends/store.hpp"

#include <cstdint>
#include <memory>
#include <set>
#include <utility>

namespace ahvn {

/// Bounds of a memory store; 0 means unbounded. Every member has a default.
struct memory_limits {
  uint64_t max_entries = 0; ///< Evict least-recently-used entries past this many.
  uint64_t max_bytes = 0;   ///< Evict least-recently-used entries past this many bytes (encoded
                            ///< size plus a small per-entry header).
};

class memory_store final : public store {
public:
  explicit memory_store(memory_limits limits = {});
  ~memory_store() override;

  std::string url() const override { return "mem:"; }
  entry_ptr get(const key& k) override;
  void touch(const key& k) override;
  void put(const key& k, entry_ptr e) override;
  void put_many(std::span<const keyed_entry> entries) override;
  bool remove(const key& k) override;
  uint64_t clear() override;
  uint64_t size() override;
  bool contains(const key& k) override;
  scan_page scan(const scan_request& req) override;
  uint64_t sweep_expired(time_point now, std::optional<key>& cursor, uint32_t limit) override;
  store_counters counters() override;
  std::shared_ptr<concurrent_reader> reader() override;

  /// Frees memory no reader can hold any more; returns how many retired blocks remain.
  size_t collect();

  struct state; // shared with readers

private:
  void insert(const key& k, const cache_entry& e);
  void drop(key k, bool evicted);
  void evict_to_limits();

  std::shared_ptr<state> state_;
  memory_limits limits_;
  uint64_t bytes_ = 0;
  uint64_t evictions_ = 0;
  // Bounded stores: (the node's `filed` stamp, key), least recently used first.
  std::set<std::pair<uint64_t, key>> lru_;
  // Entries with an expiry: (expires_ms, key), soonest first.
  std::set<std::pair<int64_t, key>> expiring_;
};

} // namespace ahvn
