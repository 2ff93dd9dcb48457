#pragma once

// memory_store: entries in RAM (the seed's InMemCache). Lookups by hash; an ordered index of
// keys serves scans page by page.
//
// Caveats: volatile — everything is lost when the store is destroyed. Owned by one actor; other
// threads read through reader() only.

#include <map>
#include <unordered_map>

#include "backends/store.hpp"

namespace ahvn {

class memory_store final : public store {
public:
  memory_store();
  ~memory_store() override;

  std::string url() const override { return "mem:"; }
  entry_ptr get(const key& k) override;
  void put(const key& k, entry_ptr e) override;
  bool remove(const key& k) override;
  uint64_t clear() override;
  uint64_t size() override;
  bool contains(const key& k) override;
  scan_page scan(const scan_request& req) override;
  store_counters counters() override;

private:
  std::map<key, entry_ptr> entries_;
};

} // namespace ahvn
