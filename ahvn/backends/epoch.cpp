#include "ahvn/backends/epoch.hpp"

#include <algorithm>

namespace ahvn::detail {

namespace {

// One per thread that ever pinned; reused when its thread exits.
struct alignas(64) thread_record {
  std::atomic<uint64_t> state{0}; // 0: not pinned; else (epoch << 1) | 1
  std::atomic<bool> in_use{false};
  uint32_t depth = 0; // nesting, touched by the owning thread only
  thread_record* next = nullptr;
};

std::atomic<uint64_t> global_epoch{2};
std::atomic<thread_record*> records{nullptr};

thread_record* acquire_record() {
  for (auto* r = records.load(std::memory_order_acquire); r != nullptr; r = r->next) {
    bool expected = false;
    if (!r->in_use.load(std::memory_order_relaxed) &&
        r->in_use.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
      return r;
  }
  auto* r = new thread_record;
  r->in_use.store(true, std::memory_order_relaxed);
  auto* head = records.load(std::memory_order_relaxed);
  do {
    r->next = head;
  } while (!records.compare_exchange_weak(head, r, std::memory_order_release,
                                          std::memory_order_relaxed));
  return r;
}

struct record_holder {
  thread_record* r = acquire_record();
  ~record_holder() {
    r->state.store(0, std::memory_order_release);
    r->depth = 0;
    r->in_use.store(false, std::memory_order_release);
  }
};

thread_record& local_record() {
  thread_local record_holder holder;
  return *holder.r;
}

// Advances the global epoch if every pinned thread has seen the current one.
uint64_t try_advance() {
  uint64_t e = global_epoch.load(std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  for (auto* r = records.load(std::memory_order_acquire); r != nullptr; r = r->next) {
    uint64_t s = r->state.load(std::memory_order_acquire);
    if ((s & 1) != 0 && (s >> 1) != e) return e;
  }
  if (global_epoch.compare_exchange_strong(e, e + 1, std::memory_order_seq_cst)) return e + 1;
  return e; // another owner advanced it
}

} // namespace

epoch_pin::epoch_pin() {
  auto& r = local_record();
  if (r.depth++ > 0) return;
  uint64_t e = global_epoch.load(std::memory_order_relaxed);
  for (;;) {
    r.state.store((e << 1) | 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    uint64_t now = global_epoch.load(std::memory_order_relaxed);
    if (now == e) return;
    e = now; // announce the epoch that is current after our announcement is visible
  }
}

epoch_pin::~epoch_pin() {
  auto& r = local_record();
  if (--r.depth == 0) r.state.store(0, std::memory_order_release);
}

retire_list::~retire_list() {
  for (auto& i : items_)
    i.del(i.p);
}

void retire_list::retire(void* p, deleter del) {
  items_.push_back({p, del, global_epoch.load(std::memory_order_seq_cst)});
}

size_t retire_list::collect() {
  if (items_.empty()) return 0;
  uint64_t e = try_advance();
  auto safe = [e](const item& i) { return i.epoch + 2 <= e; };
  auto keep =
      std::stable_partition(items_.begin(), items_.end(), [&](const item& i) { return !safe(i); });
  for (auto it = keep; it != items_.end(); ++it)
    it->del(it->p);
  items_.erase(keep, items_.end());
  return items_.size();
}

} // namespace ahvn::detail
