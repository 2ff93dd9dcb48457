#pragma once

// memory_table: the memory store's hash table — one writer (the owning actor), any number of
// concurrent readers that never lock and never wait.
//
// Nodes are immutable once published (but for their LRU stamp): the writer replaces a node by
// publishing a new pointer and retiring the old one (backends/epoch.hpp); readers pin, probe and
// copy out what they need. Open addressing with linear probing; a key's home slot is given by
// its top bits, so table order is key order apart from probing displacement, which lets the
// owner scan in key order without a second index.
//
// Caveats: writer functions must only be called by the owner. A node reference obtained by a
// reader is valid only while its epoch_pin lives.

#include "ahvn/backends/epoch.hpp"
#include "ahvn/messages/key.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ahvn::detail {

/// One entry: its key, expiry, LRU stamp and encoded bytes (encode_entry), in one allocation.
struct mem_node {
  key k;
  mutable std::atomic<uint64_t> stamp; ///< LRU recency; readers bump it on a hit in bounded stores.
  uint64_t filed;                      ///< The stamp the owner's LRU index holds (owner only).
  int64_t expires_ms;                  ///< Unix milliseconds; 0: never.
  uint32_t size;                       ///< Encoded bytes that follow the node.

  std::string_view bytes() const { return {reinterpret_cast<const char*>(this + 1), size}; }
  /// Bytes the node occupies (what max_bytes counts).
  size_t footprint() const { return sizeof(mem_node) + size; }

  /// A new node holding a copy of `encoded`. Throws std::bad_alloc.
  static mem_node* make(const key& k, std::string_view encoded, int64_t expires_ms, uint64_t stamp);
  static void destroy(void* p);
};

class memory_table {
public:
  memory_table();
  /// Frees the table and every node. REQUIRES: no reader is pinned on it any more.
  ~memory_table();
  memory_table(const memory_table&) = delete;
  memory_table& operator=(const memory_table&) = delete;

  // -- readers (any thread; the caller holds an epoch_pin) -----------------------------------

  /// The node under `k`, or nullptr.
  const mem_node* find(const key& k) const;

  // -- the owner -----------------------------------------------------------------------------

  /// Publishes `n` under its key; returns the node it replaced (already retired) or nullptr.
  const mem_node* upsert(mem_node* n);
  /// Unpublishes and retires the node under `k`; returns its footprint, or nullopt if absent.
  std::optional<size_t> erase(const key& k);
  /// Unpublishes and retires every node.
  void clear();
  /// Frees retired memory that no reader can hold any more; returns what is still pending.
  size_t collect() { return retired_.collect(); }

  size_t size() const { return live_; }

  /// Up to `limit` nodes with keys greater than `after` (all when unset), in ascending key
  /// order, starting the search at the slot window of `after`. `more` tells whether keys
  /// beyond the last returned may exist.
  std::vector<const mem_node*> scan(const std::optional<key>& after, size_t limit,
                                    bool& more) const;

private:
  struct slots;

  static size_t home(const key& k, size_t mask);
  void grow_if_needed();
  void rehash(size_t capacity);

  std::atomic<slots*> table_;
  size_t live_ = 0;
  size_t tombstones_ = 0;
  retire_list retired_;
};

} // namespace ahvn::detail
