#pragma once

// The CAF actor system a cache runs on: either one the library creates (tuned for synchronous
// callers) or one the caller owns.
//
// Tuning of systems the library creates: the `sharing` scheduler policy — its workers wait on a
// condition variable, so an idle process burns no CPU, and a request from a plain thread costs
// ~11-20 us instead of the ~125 us of the default work-stealing policy, whose idle workers sleep
// before they notice new work (../shared/notes/caf-0.17.md) — and as many workers as cores.

#include <memory>

#include <caf/fwd.hpp>

namespace ahvn {

/// A configuration with the tuning above and every message type of the project registered.
/// Use it (or call add_message_types() on your own) before creating a system for caches.
std::unique_ptr<caf::actor_system_config> make_system_config();

/// Owns a caf::actor_system, or refers to the caller's. Destroying an owning handle waits until
/// every actor of the system has finished; actors must have been told to quit before.
class system_handle {
public:
  /// Creates a new system with make_system_config().
  system_handle();
  /// Uses `sys`, which must outlive this handle and everything created from it.
  explicit system_handle(caf::actor_system& sys);
  ~system_handle();
  system_handle(const system_handle&) = delete;
  system_handle& operator=(const system_handle&) = delete;

  caf::actor_system& get() const { return *sys_; }
  bool owned() const { return owned_ != nullptr; }

private:
  std::unique_ptr<caf::actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> owned_;
  caf::actor_system* sys_;
};

} // namespace ahvn
