#include "ahvn/actors/system.hpp"

#include "ahvn/messages/protocol.hpp"

#include <algorithm>
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

system_handle::system_handle()
    : cfg_(make_system_config()), owned_(std::make_unique<caf::actor_system>(*cfg_)),
      sys_(owned_.get()) {
  // nop
}

system_handle::system_handle(caf::actor_system& sys) : sys_(&sys) {
  // nop
}

system_handle::~system_handle() {
  // Destroying owned_ waits for all actors; cfg_ must outlive the system.
  owned_.reset();
}

} // namespace ahvn
