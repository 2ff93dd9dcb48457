#pragma once

// The flight agent: the actor beside a process's local flights (actors/client/local_flights.hpp)
// that does for them what needs an actor:
// - memoize's writes that nobody waits for: it sends each to the cache actor, and once the cache
//   actor acknowledged it, lets the flight's pending value go (errors are logged and counted);
// - barriers: a plain thread's later request to the cache actor first waits until the writes
//   it handed to the agent were acknowledged, so the thread sees its own writes (size, stats,
//   remove, scans ...);
// - actors waiting for a flight that another caller leads: they ask the agent, which answers
//   when the flight settles (an actor cannot block on a condition variable);
// - actors leading a flight: it monitors them, and when one goes down its flights are released
//   (a waiter takes over);
// - lease holder: fetches this process sends to the cache actor name the agent as the holder of
//   their leases, so the owner of a key (maybe on another node) sees this process go down.
//
// Concurrency: an actor. Internal to actors/client/.

#include "ahvn/actors/client/local_flights.hpp"
#include "ahvn/messages/protocol.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

namespace ahvn::detail {

/// A flight in a message (local only: it never crosses a process).
struct flight_ref {
  local_flights::flight_ptr f;
};

} // namespace ahvn::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ahvn::detail::flight_ref)

namespace ahvn::detail {

using write_atom = caf::atom_constant<caf::atom("write")>;
using wait_atom = caf::atom_constant<caf::atom("wait")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;
using barrier_atom = caf::atom_constant<caf::atom("barrier")>;

using flight_agent = caf::typed_actor<
    // write: a leader; stores the entry at `dest` (complete with the lease if nonzero, else a
    // set), then forgets the flight's pending value. The sender counted it in `outstanding`.
    caf::reacts_to<write_atom, cache_actor, keyed_entry, uint64_t, flight_ref>,
    // wait: an actor caller; answered with the flight once it settled.
    caf::replies_to<wait_atom, flight_ref>::with<flight_ref>,
    // settle: the agent itself (sent from the settling thread); wakes the flight's waiters.
    caf::reacts_to<settle_atom, flight_ref>,
    // watch: an actor that leads the flight; if it goes down, the flight is released.
    caf::reacts_to<watch_atom, caf::actor, flight_ref>,
    // barrier: a plain thread; ok once every write handed over before it was acknowledged.
    caf::replies_to<barrier_atom>::with<ok_atom>>;

/// What the agent shares with the client that spawned it.
struct agent_shared {
  std::shared_ptr<local_flights> flights;
  std::atomic<uint64_t> outstanding{0}; ///< writes handed to the agent, not acknowledged yet
  std::atomic<uint64_t> errors{0};      ///< failed writes (the client adds them to stats)
  std::chrono::milliseconds request_timeout{30000};
  std::string name; ///< the cache's URL, for log lines
};

/// Spawns the agent of `shared->flights` on `sys`. It quits on an exit message.
flight_agent spawn_flight_agent(caf::actor_system& sys, std::shared_ptr<agent_shared> shared);

} // namespace ahvn::detail
