#pragma once

// Epoch-based reclamation: lets the single owner of a structure free nodes that reader threads
// may still be looking at, without readers taking a lock or touching a shared counter.
//
// Readers wrap every access in an `epoch_pin` (two stores and a fence; nesting is allowed).
// The owner unlinks a node, hands it to its `retire_list`, and calls collect() now and then: a
// node retired at epoch E is freed once the global epoch reached E + 2, which can only happen
// after every thread that was pinned when it was unlinked has unpinned.
//
// Caveats: a thread that stays pinned blocks reclamation for everyone (memory grows, nothing
// breaks), so pins must be short — never across a call into user code that may block.
// Thread records are reused after their thread exits and never freed.

#include <atomic>
#include <cstdint>
#include <vector>

namespace ahvn::detail {

/// Pins the calling thread for the lifetime of the object. Cheap; may nest.
class epoch_pin {
public:
  epoch_pin();
  ~epoch_pin();
  epoch_pin(const epoch_pin&) = delete;
  epoch_pin& operator=(const epoch_pin&) = delete;
};

/// Memory one owner retired. Not thread-safe: used by its owner only.
class retire_list {
public:
  using deleter = void (*)(void*);

  retire_list() = default;
  /// Frees everything at once. REQUIRES: no reader can reach the retired memory any more.
  ~retire_list();
  retire_list(const retire_list&) = delete;
  retire_list& operator=(const retire_list&) = delete;

  /// Schedules `p` to be freed with `del` once no pinned reader can hold it.
  void retire(void* p, deleter del);
  /// Tries to advance the global epoch and frees what became safe. Returns what is left.
  size_t collect();
  size_t pending() const { return items_.size(); }

private:
  struct item {
    void* p;
    deleter del;
    uint64_t epoch;
  };
  std::vector<item> items_;
};

} // namespace ahvn::detail
