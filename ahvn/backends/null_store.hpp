#pragma once

// null_store: stores nothing and always misses (the seed's NoCache). The zero baseline for
// benchmarks, and the store behind no_cache.
//
// Caveats: none — every operation succeeds at once. Owned by one actor like every store.

#include "ahvn/backends/store.hpp"

namespace ahvn {

class null_store final : public store {
public:
  std::string url() const override { return "none:"; }
  store_traits traits() const override { return {.stores_nothing = true}; }
  entry_ptr get(const key&) override { return nullptr; }
  void put(const key&, entry_ptr) override {}
  void put_many(std::span<const keyed_entry>) override {}
  bool remove(const key&) override { return false; }
  uint64_t clear() override { return 0; }
  uint64_t size() override { return 0; }
  bool contains(const key&) override { return false; }
  scan_page scan(const scan_request&) override { return {}; }
  store_counters counters() override { return {}; }
};

} // namespace ahvn
