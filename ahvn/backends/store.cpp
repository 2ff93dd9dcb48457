#include "ahvn/backends/store.hpp"

#include "ahvn/messages/ttl.hpp"

namespace ahvn {

concurrent_reader::~concurrent_reader() = default;

store::~store() = default;

store_traits store::traits() const {
  return {};
}

std::vector<entry_ptr> store::get_many(std::span<const key> ks) {
  std::vector<entry_ptr> out;
  out.reserve(ks.size());
  for (const auto& k : ks)
    out.push_back(get(k));
  return out;
}

void store::put_many(std::span<const keyed_entry> entries) {
  for (const auto& e : entries)
    put(e.k, e.entry);
}

void store::touch(const key&) {
  // nop: no recency to keep
}

bool store::contains(const key& k) {
  return get(k) != nullptr;
}

void store::flush() {
  // nop: nothing is buffered
}

uint64_t store::sweep_expired(time_point now, std::optional<key>& cursor, uint32_t limit) {
  scan_request req;
  req.after = cursor;
  req.limit = limit;
  auto page = scan(req);
  uint64_t removed = 0;
  for (const auto& e : page.entries)
    if (expired(*e.entry, now) && remove(e.k)) ++removed;
  cursor = page.more ? std::optional<key>{page.last} : std::nullopt;
  return removed;
}

std::shared_ptr<concurrent_reader> store::reader() {
  return nullptr;
}

} // namespace ahvn
