#pragma once

// kl_store: a store of knowledge objects over any cache — AgentHeaven's CacheKLStore (the guide's
// section 6.2), entry for entry:
//
//   func "kl_store", inputs {"kid": <the object's id>}, output = the object's dict
//
// so a JSON directory, an LMDB directory or a SQL table holds knowledge objects that either side
// reads under the same ids. Ids are integers, as AgentHeaven's are (MD5 hashes of an object's
// identity: up to 128 bits); the caller gives them.
//
//   ahvn::database_cache cache({.provider = "sqlite", .database = "kl_cache.db"});
//   ahvn::kl_store store(cache);
//   store.upsert(42, {{"type", "fact"}, {"content", "..."}});
//   std::optional<ahvn::json> kl = store.get(42);
//   for (const ahvn::kl_item& kl : store) ...
//
// Differences from AgentHeaven, on purpose: size() counts knowledge objects only and clear()
// removes knowledge objects only (AgentHeaven's len() counts, and clear() wipes, every entry of
// the cache, memoized calls included); close() releases this store's handle rather than closing a
// cache other handles may still use. Iteration and size() read the cache page by page, skipping
// other functions' entries: they take time in proportion to the whole cache.
//
// Concurrency: like a cache handle — any number of plain threads at once; the operations block,
// so not from inside an actor's handler. Errors: cache_error when the cache fails.

#include "ahvn/actors/caches/cache.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ahvn {

/// A knowledge object's id: an integer of any size AgentHeaven uses. In `inputs` it is a JSON
/// integer, or beyond 64 bits AgentHeaven's tagged {"__obj_type__": "bigint", ...} form, so the
/// key equals the one Python computes.
class kl_id {
public:
  template <class Int,
            std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>, int> = 0>
  kl_id(Int v) : decimal_(std::to_string(v)) {}

  /// Parses a decimal id ("-" allowed, leading zeros ignored). Throws
  /// cache_error(errc::invalid_argument) otherwise.
  static kl_id parse(std::string_view decimal);
  /// An id from its JSON form: an integer, a tagged bigint or a decimal string (Python accepts
  /// ids as strings). Throws cache_error(errc::invalid_argument) for anything else.
  static kl_id from_json(const json& j);

  /// The JSON form `inputs` holds.
  json to_json() const;
  /// Decimal, as Python prints the int.
  const std::string& to_string() const { return decimal_; }

  friend bool operator==(const kl_id&, const kl_id&) = default;

private:
  kl_id() = default;
  std::string decimal_;
};

/// One stored knowledge object.
struct kl_item {
  kl_id id;
  json object; ///< The object's dict.
};

struct kl_store_options {
  /// AgentHeaven's KLStore name (not part of any key).
  std::string name = "default";
  /// upsert/insert store only the objects it accepts (AgentHeaven's condition); empty: all.
  std::function<bool(const kl_item&)> condition = {};
  /// Entries per request when iterating. (Requests wait at most the cache's request_timeout.)
  uint32_t page_size = 256;
};

class kl_store;

/// Iterates over the knowledge objects of a cache, one page at a time (see cache.hpp's
/// entry_iterator); entries of other functions are skipped, as are kl_store entries whose kid is
/// not an id (reported in the log).
class kl_iterator {
public:
  using iterator_category = std::input_iterator_tag;
  using value_type = kl_item;
  using difference_type = std::ptrdiff_t;
  using pointer = const kl_item*;
  using reference = const kl_item&;

  kl_iterator() = default;
  explicit kl_iterator(entry_iterator it);

  const kl_item& operator*() const { return *current_; }
  const kl_item* operator->() const { return &*current_; }
  /// The cache key of the current entry.
  const key& current_key() const { return it_.current_key(); }
  kl_iterator& operator++();
  void operator++(int) { ++*this; }
  friend bool operator==(const kl_iterator& it, std::default_sentinel_t) {
    return it.it_ == std::default_sentinel;
  }

private:
  void settle();

  entry_iterator it_;
  std::optional<kl_item> current_;
};

class kl_store {
public:
  /// The function name of every knowledge object's entry.
  static constexpr std::string_view func = "kl_store";

  explicit kl_store(cache c, kl_store_options opts = {});

  /// The cache inputs of `id`: {"kid": id}.
  static json inputs_of(const kl_id& id);
  /// The cache key of `id`.
  static key key_of(const kl_id& id);

  /// Stores `object` (replacing any object of that id); false when the condition refused it.
  bool upsert(const kl_id& id, json object);
  /// Stores `object` unless an object of that id exists; true if it was stored.
  bool insert(const kl_id& id, json object);
  /// The object's dict, or nullopt.
  std::optional<json> get(const kl_id& id);
  bool exists(const kl_id& id);
  /// Removes the object; true if there was one.
  bool remove(const kl_id& id);

  /// Upserts each accepted item (of repeated ids, the first), in one write.
  void batch_upsert(const std::vector<kl_item>& items);
  /// Inserts the accepted items whose ids are absent (of repeated ids, the first), in one
  /// write; returns how many were stored.
  size_t batch_insert(const std::vector<kl_item>& items);
  /// One result per id, in order.
  std::vector<std::optional<json>> batch_get(const std::vector<kl_id>& ids);
  /// Removes each id; returns how many objects were removed.
  size_t batch_remove(const std::vector<kl_id>& ids);

  /// The knowledge objects, page by page: `for (const kl_item& kl : store)`.
  kl_iterator begin() const;
  std::default_sentinel_t end() const { return {}; }

  /// The number of knowledge objects (not of the cache's entries: see the top of this file).
  uint64_t size() const;
  /// Removes every knowledge object (other entries stay); returns how many.
  uint64_t clear();

  /// Returns once every earlier write is durable.
  void flush();
  /// Flushes and releases this store's handle on the cache; any later call throws
  /// cache_error(errc::invalid_argument). Closing twice is harmless.
  void close();
  bool closed() const { return !cache_.has_value(); }

  const kl_store_options& options() const { return opts_; }

private:
  cache& use() const;
  bool accepted(const kl_item& item) const;
  void put_many(const std::vector<const kl_item*>& items);

  mutable std::optional<cache> cache_;
  kl_store_options opts_;
};

} // namespace ahvn
