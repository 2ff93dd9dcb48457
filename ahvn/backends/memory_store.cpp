#include "ahvn/backends/memory_store.hpp"

#include "ahvn/backends/epoch.hpp"
#include "ahvn/backends/memory_table.hpp"
#include "ahvn/messages/error.hpp"
#include "ahvn/messages/log.hpp"
#include "ahvn/messages/ttl.hpp"

#include <atomic>

namespace ahvn {

using detail::epoch_pin;
using detail::mem_node;

struct memory_store::state {
  detail::memory_table table;
  std::atomic<uint64_t> tick{0}; // the LRU clock
  bool bounded = false;

  uint64_t next_stamp() { return tick.fetch_add(1, std::memory_order_relaxed) + 1; }
};

namespace {

class memory_reader final : public concurrent_reader {
public:
  explicit memory_reader(std::shared_ptr<memory_store::state> s) : state_(std::move(s)) {}

protected:
  bool read_value_impl(const key& k, time_point now, void* ctx, visit_fn fn) override {
    auto& s = *state_;
    json value;
    {
      epoch_pin pin;
      const mem_node* n = s.table.find(k);
      if (n == nullptr || (n->expires_ms != 0 && n->expires_ms <= unix_ms(now))) return false;
      encoded_view view;
      if (!view_encoded(n->bytes(), view) || view.value.empty()) return false;
      if (s.bounded) n->stamp.store(s.next_stamp(), std::memory_order_relaxed);
      value = decode_msgpack(view.value, "mem:");
    }
    // The visitor runs unpinned: it may take long or call into other caches.
    fn(ctx, value);
    return true;
  }

public:
  entry_ptr read_entry(const key& k, time_point now) override {
    auto& s = *state_;
    epoch_pin pin;
    const mem_node* n = s.table.find(k);
    if (n == nullptr || (n->expires_ms != 0 && n->expires_ms <= unix_ms(now))) return nullptr;
    if (s.bounded) n->stamp.store(s.next_stamp(), std::memory_order_relaxed);
    return std::make_shared<cache_entry>(decode_entry(n->bytes(), "mem: key " + k.to_string()));
  }

  bool contains(const key& k, time_point now) override {
    epoch_pin pin;
    const mem_node* n = state_->table.find(k);
    return n != nullptr && (n->expires_ms == 0 || n->expires_ms > unix_ms(now));
  }

private:
  std::shared_ptr<memory_store::state> state_;
};

} // namespace

memory_store::memory_store(memory_limits limits)
    : state_(std::make_shared<state>()), limits_(limits) {
  state_->bounded = limits.max_entries > 0 || limits.max_bytes > 0;
}

memory_store::~memory_store() = default;

void memory_store::touch(const key& k) {
  if (!state_->bounded) return;
  if (const mem_node* n = state_->table.find(k))
    n->stamp.store(state_->next_stamp(), std::memory_order_relaxed);
}

entry_ptr memory_store::get(const key& k) {
  const mem_node* n = state_->table.find(k);
  if (n == nullptr) return nullptr;
  return std::make_shared<cache_entry>(decode_entry(n->bytes(), "mem: key " + k.to_string()));
}

bool memory_store::contains(const key& k) {
  return state_->table.find(k) != nullptr;
}

void memory_store::insert(const key& k, const cache_entry& e) {
  auto encoded = encode_entry(e);
  auto footprint = sizeof(mem_node) + encoded.size();
  if (limits_.max_bytes > 0 && footprint > limits_.max_bytes)
    throw cache_error(errc::invalid_argument,
                      "mem: an entry of " + std::to_string(footprint) +
                          " bytes cannot fit max_bytes = " + std::to_string(limits_.max_bytes));
  int64_t expires = expires_at_ms(e);
  uint64_t stamp = state_->bounded ? state_->next_stamp() : 0;
  auto* n = mem_node::make(k, encoded, expires, stamp);
  const mem_node* old = state_->table.upsert(n);
  if (old != nullptr) {
    bytes_ -= old->footprint();
    if (state_->bounded) lru_.erase({old->filed, k});
    if (old->expires_ms != 0) expiring_.erase({old->expires_ms, k});
  }
  bytes_ += n->footprint();
  if (state_->bounded) lru_.insert({stamp, k});
  if (expires != 0) expiring_.insert({expires, k});
}

void memory_store::put(const key& k, entry_ptr e) {
  insert(k, *e);
  evict_to_limits();
  collect();
}

void memory_store::put_many(std::span<const keyed_entry> entries) {
  for (const auto& e : entries)
    insert(e.k, *e.entry);
  evict_to_limits();
  collect();
}

// Unpublishes the entry under `k` and forgets it in every index. REQUIRES: it is present.
void memory_store::drop(key k, bool evicted) {
  const mem_node* n = state_->table.find(k);
  if (state_->bounded) lru_.erase({n->filed, k});
  if (n->expires_ms != 0) expiring_.erase({n->expires_ms, k});
  bytes_ -= *state_->table.erase(k);
  if (evicted) ++evictions_;
}

void memory_store::evict_to_limits() {
  if (!state_->bounded) return;
  auto over = [&] {
    return (limits_.max_entries > 0 && state_->table.size() > limits_.max_entries) ||
           (limits_.max_bytes > 0 && bytes_ > limits_.max_bytes);
  };
  while (over() && !lru_.empty()) {
    auto [filed, k] = *lru_.begin();
    // Only the owner writes `filed`; readers bump `stamp` on hits. Mutating through the
    // const view is safe: readers never read `filed`.
    auto* n = const_cast<mem_node*>(state_->table.find(k));
    uint64_t used = n->stamp.load(std::memory_order_relaxed);
    if (used != filed) {
      // Used since it was filed: file it again under its latest use, then look again.
      lru_.erase(lru_.begin());
      n->filed = used;
      lru_.insert({used, k});
      continue;
    }
    drop(k, true);
  }
}

bool memory_store::remove(const key& k) {
  if (state_->table.find(k) == nullptr) return false;
  drop(k, false);
  collect();
  return true;
}

uint64_t memory_store::clear() {
  uint64_t n = state_->table.size();
  state_->table.clear();
  lru_.clear();
  expiring_.clear();
  bytes_ = 0;
  collect();
  return n;
}

uint64_t memory_store::size() {
  return state_->table.size();
}

scan_page memory_store::scan(const scan_request& req) {
  scan_page page;
  uint32_t limit = req.limit == 0 ? 256 : req.limit;
  // With a func filter, examine up to 16 pages' worth of entries per call.
  size_t examine = req.func.empty() ? limit : 16 * size_t{limit};
  bool more_nodes = false;
  auto nodes = state_->table.scan(req.after, examine, more_nodes);
  page.more = more_nodes;
  for (const mem_node* n : nodes) {
    if (page.entries.size() == limit) {
      page.more = true;
      break;
    }
    page.last = n->k;
    if (!req.func.empty()) {
      encoded_view view;
      if (view_encoded(n->bytes(), view) && view.func != req.func) continue;
    }
    page.entries.push_back({n->k, std::make_shared<cache_entry>(
                                      decode_entry(n->bytes(), "mem: key " + n->k.to_string()))});
  }
  return page;
}

uint64_t memory_store::sweep_expired(time_point now, std::optional<key>& cursor, uint32_t limit) {
  cursor.reset(); // the expiry index needs no cursor
  uint64_t removed = 0;
  int64_t now_ms = unix_ms(now);
  while (!expiring_.empty() && expiring_.begin()->first <= now_ms && removed < limit) {
    key k = expiring_.begin()->second; // a copy: drop() erases the set's node
    drop(k, false);
    ++removed;
  }
  if (removed > 0) collect();
  return removed;
}

store_counters memory_store::counters() {
  store_counters c;
  c.entries = state_->table.size();
  c.bytes = bytes_;
  c.evictions = evictions_;
  return c;
}

std::shared_ptr<concurrent_reader> memory_store::reader() {
  return std::make_shared<memory_reader>(state_);
}

size_t memory_store::collect() {
  return state_->table.collect();
}

} // namespace ahvn
