#pragma once

// single_flight: the backend actor's table of computations in progress — who holds the lease of
// each missed key and who waits for it. Internal to actors/backend_actor.cpp.
//
// Concurrency: owned by one actor; no synchronization.

#include "ahvn/messages/protocol.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/typed_response_promise.hpp>

namespace ahvn::detail {

class single_flight {
public:
  using steady = std::chrono::steady_clock;

  struct waiter {
    caf::typed_response_promise<fetch_result> rp;
    caf::actor_addr watched;            ///< set if its death should pass the lease on
    std::chrono::milliseconds lease{0}; ///< how long it may compute once it gets the lease
  };

  /// What happened to a fetch that missed.
  struct outcome {
    uint64_t lease = 0;   ///< nonzero: the caller got the lease (answer it now)
    bool waiting = false; ///< the caller joined a flight (its promise will be answered)
  };

  /// Starts a flight for `k` (the caller `w` computes, until w.lease from `now`) or joins the
  /// running one.
  outcome miss(const key& k, const waiter& w, bool coalesce, steady::time_point now);

  /// The leaseholder's result: every waiter of `k`'s flight gets `e`; the flight ends.
  void complete(const key& k, const entry_ptr& e);

  /// The leaseholder's failure: if `lease` is the flight's current lease, every waiter gets
  /// `err` and the flight ends; a stale lease changes nothing.
  void abandon(const key& k, uint64_t lease, const caf::error& err);

  /// Leases that ran out by `now` pass to the next waiter of their flight (or the flight ends).
  void expire_due(steady::time_point now);

  /// A watched actor died: its leases pass on and it leaves every queue.
  void down(const caf::actor_addr& who, steady::time_point now);

  /// When the earliest lease runs out, or nullopt without flights.
  std::optional<steady::time_point> next_deadline() const;

  size_t size() const { return flights_.size(); }

private:
  struct flight {
    uint64_t lease = 0;
    caf::actor_addr holder;
    steady::time_point deadline;
    std::deque<waiter> waiters;
  };

  uint64_t next_lease() { return ++last_lease_; }
  /// Gives the lease to the next live waiter; returns false (the flight must end) if none.
  bool pass_on(flight& f, steady::time_point now);

  std::unordered_map<key, flight> flights_;
  uint64_t last_lease_ = 0;
};

} // namespace ahvn::detail
