#pragma once

// single_flight: the backend actor's table of computations in progress — who holds the lease of
// each missed key, until when, and who waits for it. Internal to the backend actor. The callers
// of one process coordinate first among themselves (actors/client/local_flights.hpp); this table
// coordinates the callers that reach the owning actor: other processes, other nodes, and every
// caller that had to ask the actor anyway (feeds, stores without a caller-thread reader).
//
// Concurrency: owned by one actor; no synchronization.

#include "ahvn/messages/protocol.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/typed_response_promise.hpp>

namespace ahvn::detail {

class single_flight {
public:
  using steady = std::chrono::steady_clock;

  struct waiter {
    caf::typed_response_promise<fetch_result> rp;
    caf::actor holder;                  ///< set if its going down should pass the lease on
    std::chrono::milliseconds lease{0}; ///< how long it may compute once it gets the lease
  };

  /// What happened to a fetch that missed.
  struct outcome {
    uint64_t lease = 0;   ///< nonzero: the caller got the lease (answer it now)
    bool waiting = false; ///< the caller joined a flight (its promise will be answered)
  };

  /// Starts a flight for `k` (the caller `w` computes, until w.lease from `now`) or joins the
  /// running one. Without `coalesce` nothing is recorded and the lease is 0 (compute, then set).
  outcome miss(const key& k, const waiter& w, bool coalesce, steady::time_point now);

  /// True if `lease` is `k`'s current lease.
  bool holds(const key& k, uint64_t lease) const;

  /// A value for `k` arrived (the holder's or anyone's set): every waiter of `k`'s flight gets
  /// `e`; the flight ends.
  void complete(const key& k, const entry_ptr& e);

  /// The holder of `lease` gave up: with failure.retry the lease passes to the next waiter,
  /// else every waiter gets `err`. Returns false (nothing changes) if `lease` is not current.
  bool abandon(const key& k, uint64_t lease, bool retry, const caf::error& err,
               steady::time_point now);

  /// Leases that ran out by `now` pass to the next waiter of their flight (or the flight ends).
  void expire_due(steady::time_point now);

  /// A holder or waiter went down: its leases pass on and it leaves every queue.
  void down(const caf::actor_addr& who, steady::time_point now);

  /// When the earliest lease runs out, or nullopt without flights.
  std::optional<steady::time_point> next_deadline() const;

  size_t size() const { return flights_.size(); }

private:
  struct flight {
    uint64_t lease = 0;
    caf::actor holder;
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
