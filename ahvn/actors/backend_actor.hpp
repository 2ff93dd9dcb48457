#pragma once

// The backend actor: owns one store and serves the cache protocol (messages/protocol.hpp).
// Nobody else touches the store, so no lock guards it: the mailbox is the only way in.
//
// Group commit: writes are collected while they wait in the mailbox and written with one
// store::put_many (one transaction on the persistent stores) as soon as the mailbox holds no
// more of them, or when `max_batch` are waiting; each writer is answered after its batch is
// durable. A read sees the writes that arrived before it (pending writes are served from the
// batch). Removes, clears, scans, size and stats first commit what is pending.
//
// Single flight: a fetch that misses gets a lease for the holder it names
// (fetch_request::holder); fetches of the same key that arrive meanwhile wait, and are answered
// with the entry when the holder completes (or anyone sets the key), with its failure when it
// abandons, or with a lease of their own when the holder went down (holders given as actors are
// monitored), gave up, or its lease ran out. complete and abandon with any other lease are
// answered errc::lease_lost. annotate, pop and remove_if each run here as one request.
//
// TTL: an entry written with metadata ttl (or annotation.ttl) gets expires_at from the clock;
// an expired entry is a miss (and is removed), and a periodic sweep removes the others.
//
// Errors: a failing store answers the request with the store's error (errc::backend_failure,
// ...); every failure is logged and counted in stats().errors. The actor keeps running.

#include "ahvn/backends/store.hpp"
#include "ahvn/messages/clock.hpp"
#include "ahvn/messages/protocol.hpp"

#include <chrono>
#include <cstddef>
#include <memory>

#include <caf/fwd.hpp>

namespace ahvn {

struct backend_options {
  /// Run the actor on its own thread. Use it for stores whose calls block (files, LMDB commits,
  /// SQL round trips) so that CAF's scheduler workers never stall.
  bool detached = false;
  /// Collect writes into batches (one transaction each). Off: each write goes to the store at
  /// once (the memory store gains nothing from batching).
  bool group_commit = false;
  /// The most writes one transaction takes.
  size_t max_batch = 1024;
  /// How long a batch may wait for more writes after the mailbox ran dry; zero commits at once.
  std::chrono::microseconds max_delay{0};
  /// Callers that miss the same key at once share one computation (fetch; see protocol.hpp).
  bool single_flight = true;
  /// How long a caller may compute before the next waiter takes over, unless it asks otherwise.
  std::chrono::milliseconds default_lease = std::chrono::seconds(60);
  /// How often expired entries are swept away; zero never sweeps (expired entries still miss).
  std::chrono::milliseconds sweep_interval = std::chrono::seconds(60);
  /// Where the actor reads the time (TTL); null means the system clock.
  std::shared_ptr<clock> time_source = nullptr;
};

/// Spawns a backend actor owning `s`. The actor quits on an exit message (committing what is
/// pending first) or when the system shuts down.
cache_actor spawn_backend(caf::actor_system& sys, std::unique_ptr<store> s,
                          backend_options opts = {});

} // namespace ahvn
