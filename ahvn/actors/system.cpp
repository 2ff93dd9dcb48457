#include "ahvn/actors/system.hpp"

#include "ahvn/actors/client/task_pool.hpp"
#include "ahvn/messages/error.hpp"
#include "ahvn/messages/protocol.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

namespace ahvn {

std::unique_ptr<caf::actor_system_config> make_system_config() {
  auto cfg = std::make_unique<caf::actor_system_config>();
  add_message_types(*cfg);
  cfg->set("scheduler.policy", caf::atom("sharing"));
  size_t cores = std::max(2u, std::thread::hardware_concurrency());
  cfg->set("scheduler.max-threads", cores);
  return cfg;
}

namespace {

struct default_system {
  std::mutex m;
  std::function<void(caf::actor_system_config&)> tune;
  bool configured = false;
  bool started = false;
  std::weak_ptr<caf::actor_system> sys;
  std::shared_ptr<caf::actor_system> after_main; // see keep_past_main()
};

default_system& the_default() {
  static auto* d = new default_system; // never destroyed: an atexit handler still needs it
  return *d;
}

// CAF 0.17 crashes when an actor system is destroyed after main returned (verified: a system
// destroyed from an atexit handler frees its scheduler twice). So the default system is shut
// down when its last cache goes, while the program runs; one still in use when main returns
// (a cache with static storage) is kept and left to the operating system.
void keep_past_main() {
  auto& d = the_default();
  std::lock_guard<std::mutex> guard(d.m);
  d.after_main = d.sys.lock();
}

// Owns the configuration with the system (the system refers to it).
struct owned_system {
  std::unique_ptr<caf::actor_system_config> cfg;
  std::unique_ptr<caf::actor_system> sys;
  ~owned_system() {
    sys.reset(); // waits for every actor; cfg must outlive it
  }
};

} // namespace

void configure_default_system(std::function<void(caf::actor_system_config&)> tune) {
  auto& d = the_default();
  std::lock_guard<std::mutex> guard(d.m);
  if (d.started)
    throw cache_error(errc::invalid_argument,
                      "configure_default_system: the default actor system has started already");
  if (d.configured)
    throw cache_error(errc::invalid_argument,
                      "configure_default_system: the default actor system is configured already");
  d.tune = std::move(tune);
  d.configured = true;
}

void configure_async_threads(size_t threads) {
  if (threads == 0) throw cache_error(errc::invalid_argument, "configure_async_threads: 0 threads");
  if (!detail::task_pool::configure(threads))
    throw cache_error(errc::invalid_argument,
                      "configure_async_threads: the pool has started already");
}

system_handle system_handle::shared_default() {
  auto& d = the_default();
  std::lock_guard<std::mutex> guard(d.m);
  if (auto running = d.sys.lock()) return system_handle{std::move(running)};
  auto owner = std::make_shared<owned_system>();
  owner->cfg = make_system_config();
  if (d.tune) d.tune(*owner->cfg);
  owner->sys = std::make_unique<caf::actor_system>(*owner->cfg);
  std::shared_ptr<caf::actor_system> sys(owner, owner->sys.get());
  d.sys = sys;
  if (!d.started) {
    d.started = true;
    std::atexit(keep_past_main);
  }
  return system_handle{std::move(sys)};
}

system_handle::system_handle(caf::actor_system& sys)
    : sys_(std::shared_ptr<caf::actor_system>(std::shared_ptr<void>{}, &sys)) {
  // nop: the caller owns `sys`
}

} // namespace ahvn
