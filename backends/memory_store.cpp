#include "backends/memory_store.hpp"

namespace ahvn {

memory_store::memory_store() = default;

memory_store::~memory_store() = default;

entry_ptr memory_store::get(const key& k) {
  auto i = entries_.find(k);
  return i == entries_.end() ? nullptr : i->second;
}

void memory_store::put(const key& k, entry_ptr e) { entries_[k] = std::move(e); }

bool memory_store::remove(const key& k) { return entries_.erase(k) > 0; }

uint64_t memory_store::clear() {
  auto n = entries_.size();
  entries_.clear();
  return n;
}

uint64_t memory_store::size() { return entries_.size(); }

bool memory_store::contains(const key& k) { return entries_.count(k) > 0; }

scan_page memory_store::scan(const scan_request& req) {
  scan_page page;
  auto i = req.after ? entries_.upper_bound(*req.after) : entries_.begin();
  uint32_t examined = 0;
  for (; i != entries_.end() && page.entries.size() < req.limit && examined < 16 * req.limit + 16;
       ++i, ++examined) {
    page.last = i->first;
    if (req.func.empty() || i->second->func == req.func)
      page.entries.push_back({i->first, i->second});
  }
  page.more = i != entries_.end();
  return page;
}

store_counters memory_store::counters() {
  store_counters c;
  c.entries = entries_.size();
  return c;
}

} // namespace ahvn
