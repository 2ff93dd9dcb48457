#pragma once

// failing_store: a memory store that fails on command and counts what it was asked, to exercise
// every error path of the actors above it. The switches are atomics, so a test thread may flip
// them while the store's actor runs.

#include "ahvn/backends/memory_store.hpp"
#include "ahvn/messages/error.hpp"

#include <atomic>
#include <memory>

namespace ahvn::test {

struct failing_store_control {
  std::atomic<bool> fail_reads{false};
  std::atomic<bool> fail_writes{false};
  bool blocking = false; ///< report traits().blocks (its actor then groups writes); set before use
  std::atomic<int> put_many_calls{0};
  std::atomic<int> entries_written{0};
};

class failing_store final : public store {
public:
  explicit failing_store(std::shared_ptr<failing_store_control> ctl) : ctl_(std::move(ctl)) {}

  std::string url() const override { return "failing:"; }
  store_traits traits() const override { return {.blocks = ctl_->blocking}; }
  entry_ptr get(const key& k) override {
    check(ctl_->fail_reads, "get");
    return inner_.get(k);
  }
  void put(const key& k, entry_ptr e) override {
    keyed_entry one{k, std::move(e)};
    put_many({&one, 1});
  }
  void put_many(std::span<const keyed_entry> es) override {
    check(ctl_->fail_writes, "put_many");
    ++ctl_->put_many_calls;
    ctl_->entries_written += static_cast<int>(es.size());
    inner_.put_many(es);
  }
  bool remove(const key& k) override {
    check(ctl_->fail_writes, "remove");
    return inner_.remove(k);
  }
  uint64_t clear() override { return inner_.clear(); }
  uint64_t size() override { return inner_.size(); }
  bool contains(const key& k) override {
    check(ctl_->fail_reads, "contains");
    return inner_.contains(k);
  }
  scan_page scan(const scan_request& req) override { return inner_.scan(req); }
  store_counters counters() override { return inner_.counters(); }

private:
  static void check(const std::atomic<bool>& flag, const char* op) {
    if (flag)
      throw cache_error(errc::backend_failure, std::string("failing: ") + op + ": disk on fire");
  }

  std::shared_ptr<failing_store_control> ctl_;
  memory_store inner_;
};

} // namespace ahvn::test
