#include "ahvn/backends/memory_table.hpp"

#include <algorithm>
#include <cstring>
#include <new>

namespace ahvn::detail {

namespace {

mem_node* const tombstone = reinterpret_cast<mem_node*>(uintptr_t{1});

bool is_node(const mem_node* p) {
  return p != nullptr && p != tombstone;
}

constexpr size_t min_capacity = 16;

size_t pow2_at_least(size_t n) {
  size_t c = min_capacity;
  while (c < n)
    c <<= 1;
  return c;
}

} // namespace

// -- nodes -------------------------------------------------------------------------------------

mem_node* mem_node::make(const key& k, std::string_view encoded, int64_t expires_ms,
                         uint64_t stamp) {
  void* raw = ::operator new(sizeof(mem_node) + encoded.size());
  auto* n = static_cast<mem_node*>(raw);
  n->k = k;
  new (&n->stamp) std::atomic<uint64_t>(stamp);
  n->filed = stamp;
  n->expires_ms = expires_ms;
  n->size = static_cast<uint32_t>(encoded.size());
  std::memcpy(reinterpret_cast<char*>(n + 1), encoded.data(), encoded.size());
  return n;
}

void mem_node::destroy(void* p) {
  ::operator delete(p);
}

// -- slots -------------------------------------------------------------------------------------

struct memory_table::slots {
  size_t mask;
  unsigned shift; // home = key.hi() >> shift
  std::atomic<mem_node*> s[1];

  size_t capacity() const { return mask + 1; }

  static slots* make(size_t capacity) {
    void* raw = ::operator new(sizeof(slots) + (capacity - 1) * sizeof(std::atomic<mem_node*>));
    auto* t = static_cast<slots*>(raw);
    t->mask = capacity - 1;
    unsigned bits = 0;
    while ((size_t{1} << bits) < capacity)
      ++bits;
    t->shift = 64 - bits;
    for (size_t i = 0; i < capacity; ++i)
      new (&t->s[i]) std::atomic<mem_node*>(nullptr);
    return t;
  }

  static void destroy(void* p) { ::operator delete(p); }

  size_t home(const key& k) const { return static_cast<size_t>(k.hi() >> shift); }
};

memory_table::memory_table() : table_(slots::make(min_capacity)) {}

memory_table::~memory_table() {
  auto* t = table_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < t->capacity(); ++i) {
    auto* p = t->s[i].load(std::memory_order_relaxed);
    if (is_node(p)) mem_node::destroy(p);
  }
  slots::destroy(t);
}

// -- readers -----------------------------------------------------------------------------------

const mem_node* memory_table::find(const key& k) const {
  const slots* t = table_.load(std::memory_order_acquire);
  size_t i = t->home(k);
  for (size_t n = 0; n <= t->mask; ++n, i = (i + 1) & t->mask) {
    const mem_node* p = t->s[i].load(std::memory_order_acquire);
    if (p == nullptr) return nullptr;
    if (p != tombstone && p->k == k) return p;
  }
  return nullptr;
}

// -- the owner ---------------------------------------------------------------------------------

void memory_table::grow_if_needed() {
  auto* t = table_.load(std::memory_order_relaxed);
  // Keep at least half the slots empty so that probe chains stay short.
  if ((live_ + tombstones_ + 1) * 2 <= t->capacity()) return;
  rehash(pow2_at_least((live_ + 1) * 4));
}

void memory_table::rehash(size_t capacity) {
  auto* old = table_.load(std::memory_order_relaxed);
  auto* t = slots::make(capacity);
  for (size_t i = 0; i < old->capacity(); ++i) {
    auto* p = old->s[i].load(std::memory_order_relaxed);
    if (!is_node(p)) continue;
    size_t j = t->home(p->k);
    while (t->s[j].load(std::memory_order_relaxed) != nullptr)
      j = (j + 1) & t->mask;
    t->s[j].store(p, std::memory_order_relaxed);
  }
  table_.store(t, std::memory_order_release);
  tombstones_ = 0;
  retired_.retire(old, &slots::destroy);
}

const mem_node* memory_table::upsert(mem_node* n) {
  grow_if_needed();
  auto* t = table_.load(std::memory_order_relaxed);
  size_t i = t->home(n->k);
  size_t first_tombstone = SIZE_MAX;
  for (;;) {
    auto* p = t->s[i].load(std::memory_order_relaxed);
    if (p == nullptr) {
      // Absent: take the first tombstone on the way, or this empty slot.
      size_t target = i;
      if (first_tombstone != SIZE_MAX) {
        target = first_tombstone;
        --tombstones_;
      }
      t->s[target].store(n, std::memory_order_release);
      ++live_;
      return nullptr;
    }
    if (p == tombstone) {
      if (first_tombstone == SIZE_MAX) first_tombstone = i;
    } else if (p->k == n->k) {
      t->s[i].store(n, std::memory_order_release);
      retired_.retire(p, &mem_node::destroy);
      return p;
    }
    i = (i + 1) & t->mask;
  }
}

std::optional<size_t> memory_table::erase(const key& k) {
  auto* t = table_.load(std::memory_order_relaxed);
  size_t i = t->home(k);
  for (size_t n = 0; n <= t->mask; ++n, i = (i + 1) & t->mask) {
    auto* p = t->s[i].load(std::memory_order_relaxed);
    if (p == nullptr) return std::nullopt;
    if (p != tombstone && p->k == k) {
      size_t footprint = p->footprint();
      t->s[i].store(tombstone, std::memory_order_release);
      --live_;
      ++tombstones_;
      retired_.retire(p, &mem_node::destroy);
      return footprint;
    }
  }
  return std::nullopt;
}

void memory_table::clear() {
  auto* old = table_.load(std::memory_order_relaxed);
  table_.store(slots::make(min_capacity), std::memory_order_release);
  for (size_t i = 0; i < old->capacity(); ++i) {
    auto* p = old->s[i].load(std::memory_order_relaxed);
    if (is_node(p)) retired_.retire(p, &mem_node::destroy);
  }
  retired_.retire(old, &slots::destroy);
  live_ = 0;
  tombstones_ = 0;
}

std::vector<const mem_node*> memory_table::scan(const std::optional<key>& after, size_t limit,
                                                bool& more) const {
  const slots* t = table_.load(std::memory_order_relaxed);
  const size_t cap = t->capacity();
  const size_t window = std::max<size_t>(64, 2 * limit);
  std::vector<const mem_node*> out;
  size_t h0 = after ? t->home(*after) : 0;
  while (h0 < cap) {
    size_t h1 = std::min(cap, h0 + window);
    size_t first = out.size();
    // Keys with home in [h0, h1) sit at or after their home, before the first empty slot that
    // follows h1 (wrapping around the end of the table).
    size_t i = h0;
    for (size_t steps = 0; steps < cap; ++steps, i = (i + 1) & t->mask) {
      const mem_node* p = t->s[i].load(std::memory_order_relaxed);
      if (p == nullptr && (i >= h1 || i < h0)) break;
      if (!is_node(p)) continue;
      size_t h = t->home(p->k);
      if (h >= h0 && h < h1 && (!after || *after < p->k)) out.push_back(p);
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const mem_node* a, const mem_node* b) { return a->k < b->k; });
    h0 = h1;
    if (out.size() >= limit) break;
  }
  more = out.size() > limit || h0 < cap;
  if (out.size() > limit) out.resize(limit);
  return out;
}

} // namespace ahvn::detail
