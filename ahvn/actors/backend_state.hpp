#pragma once

// The state of a backend actor (actors/backend_actor.hpp) and what its handlers share: group
// commit, lookups with expiry, counters. Internal to actors/backend_*.cpp.
//
// Concurrency: owned by one actor; no synchronization.

#include "ahvn/actors/backend_actor.hpp"
#include "ahvn/actors/single_flight.hpp"

#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/typed_response_promise.hpp>

namespace ahvn::detail {

struct backend_state {
  std::shared_ptr<store> storage;
  backend_options opts;
  std::shared_ptr<clock> time;
  // Group commit: the pending writes by writer, their number, and the batch by key for reads.
  struct pending_write {
    std::vector<keyed_entry> entries;
    caf::typed_response_promise<ok_atom> rp;
  };
  std::vector<pending_write> batch;
  size_t batch_entries = 0;
  std::unordered_map<key, entry_ptr> overlay;
  bool commit_scheduled = false;
  single_flight flights;
  std::optional<single_flight::steady::time_point> lease_check_at; // the next check scheduled
  std::unordered_set<caf::actor_addr> watched; // lease holders monitored for single flight
  std::optional<key> sweep_cursor;
  cache_stats counters;

  static inline const char* name = "ahvn.backend";

  ~backend_state();

  /// Counts and logs a failed operation; the error to answer with.
  caf::error fail(const char* op, const std::exception& e);

  /// Writes the pending batch in one transaction and answers its writers. If that fails, each
  /// writer's entries are tried on their own, so one bad write does not fail the others.
  void commit();

  /// The live entry under `k` (pending writes first); an expired one is removed and missed.
  entry_ptr find(const key& k);

  /// Counts a lookup; a hit is a use of the entry (LRU stores keep it longer).
  void count(const key& k, const entry_ptr& e);

  /// Gives entries that ask for a TTL their expiry (copying only those). Throws cache_error.
  void stamp(std::vector<keyed_entry>& entries);

  /// Stores `entries` now (no batching), counting them; throws on failure.
  void write_now(const std::vector<keyed_entry>& entries);
};

} // namespace ahvn::detail
