#pragma once

// The CAF actor system a cache runs on: the process's default one, which the library owns, or
// one the caller owns.
//
// The default system is started when the first cache that names no system is created, is shared
// by every such cache, and shuts down — waiting for its actors, which were told to quit — when
// the last of them is gone (a later cache starts it again, with the same configuration). Tune it
// once, before its first use, with configure_default_system(). A cache still alive when main
// returns (one with static storage) keeps the system running until the process ends: CAF 0.17
// cannot destroy an actor system after main.
//
// Tuning of the systems the library creates: the `sharing` scheduler policy — its workers wait
// on a condition variable, so an idle process burns no CPU, and a request from a plain thread
// costs ~11-20 us instead of the ~125 us of the default work-stealing policy, whose idle workers
// sleep before they notice new work (../shared/notes/caf-0.17.md) — and as many workers as
// cores (at least 2).

#include <cstddef>
#include <functional>
#include <memory>

#include <caf/fwd.hpp>

namespace ahvn {

/// A configuration with the tuning above and every message type of the project registered.
/// Use it (or call add_message_types() on your own) before creating a system for caches.
std::unique_ptr<caf::actor_system_config> make_system_config();

/// Adjusts the default system's configuration (after make_system_config()'s tuning) before it
/// starts. Throws cache_error(errc::invalid_argument) if it has started already or was
/// configured before.
void configure_default_system(std::function<void(caf::actor_system_config&)> tune);

/// Sets how many threads compute the misses of memoized::async, memoized_future and
/// memoized_reply::async (default: 4 per core, at least 8). Throws
/// cache_error(errc::invalid_argument) if `threads` is 0 or the pool has started already.
void configure_async_threads(size_t threads);

/// A reference to the actor system a cache runs on; copies share it. The default system lives
/// as long as any handle to it; a caller's system must outlive every handle made from it.
class system_handle {
public:
  /// The default system, started on first use.
  static system_handle shared_default();
  /// The caller's `sys`.
  explicit system_handle(caf::actor_system& sys);

  caf::actor_system& get() const { return *sys_; }

private:
  explicit system_handle(std::shared_ptr<caf::actor_system> sys) : sys_(std::move(sys)) {}
  std::shared_ptr<caf::actor_system> sys_;
};

} // namespace ahvn
