#pragma once

// The backend actor: owns one store and serves the cache protocol (messages/protocol.hpp).
// Nobody else touches the store, so no lock guards it: the mailbox is the only way in.
//
// Group commit: writes are collected while they wait in the mailbox and written with one
// store::put_many (one transaction on the persistent stores) as soon as the mailbox holds no
// more of them, or when `max_batch` are waiting; each writer is answered after its batch is
// durable. A read sees the writes that arrived before it (pending writes are served from the
// batch). Removes, clears, scans and size first commit what is pending.
//
// Errors: a failing store answers the request with the store's error (errc::backend_failure,
// ...); every failure is logged and counted in stats().errors. The actor keeps running.

#include <chrono>
#include <cstddef>
#include <memory>

#include <caf/fwd.hpp>

#include "backends/store.hpp"
#include "messages/protocol.hpp"

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
};

/// Spawns a backend actor owning `s`. The actor quits on an exit message (committing what is
/// pending first) or when the system shuts down.
cache_actor spawn_backend(caf::actor_system& sys, std::unique_ptr<store> s,
                          backend_options opts = {});

} // namespace ahvn
