#pragma once

// blocking_request: one request from a plain thread to an actor, waiting for the answer with a
// timeout — the only way the client side blocks on an actor.
//
// CAF 0.17 caveat it handles: a scoped_actor leaves the calling thread holding a reference to its
// system's logger (thread-local), and destroying an actor system waits until every such
// reference is gone — so a long-lived thread (a pool thread, a server's worker) that once made a
// request would keep the system from ever shutting down (verified: ~actor_system waits forever).
// Each request here releases that reference when it is done.

#include "ahvn/messages/protocol.hpp"

#include <chrono>
#include <optional>
#include <utility>

#include <caf/duration.hpp>
#include <caf/logger.hpp>
#include <caf/scoped_actor.hpp>

namespace ahvn::detail {

/// Requests `xs` from `dest` and waits at most `timeout`: the answer of type R, or the error.
/// REQUIRES: called from a plain thread, not from inside an actor.
template <class R, class Dest, class... Ts>
std::pair<std::optional<R>, caf::error> blocking_request(caf::actor_system& sys, const Dest& dest,
                                                         std::chrono::milliseconds timeout,
                                                         Ts&&... xs) {
  struct release_logger {
    ~release_logger() { caf::logger::set_current_actor_system(nullptr); }
  } guard;
  std::optional<R> result;
  caf::error err;
  {
    caf::scoped_actor self{sys};
    self->request(dest, caf::duration{timeout}, std::forward<Ts>(xs)...)
        .receive([&](R& r) { result = std::move(r); }, [&](caf::error& e) { err = std::move(e); });
  }
  return {std::move(result), std::move(err)};
}

} // namespace ahvn::detail
