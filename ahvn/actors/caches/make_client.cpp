#include "ahvn/actors/caches/make_client.hpp"

#include "ahvn/actors/backend_actor.hpp"

namespace ahvn::detail {

system_handle system_for(caf::actor_system* sys) {
  return sys ? system_handle(*sys) : system_handle::shared_default();
}

std::shared_ptr<client> make_client(std::unique_ptr<store> s, caf::actor_system* sys,
                                    cache_options opts) {
  auto handle = system_for(sys);
  auto traits = s->traits();
  auto reader = s->reader();
  auto name = s->url();
  backend_options bo;
  bo.detached = traits.blocks;
  bo.group_commit = traits.blocks;
  bo.single_flight = !traits.stores_nothing;
  bo.default_lease = opts.lease;
  bo.sweep_interval = opts.sweep_interval;
  bo.time_source = opts.time_source;
  auto actor = spawn_backend(handle.get(), std::move(s), bo);
  return std::make_shared<client>(std::move(handle), std::move(actor), reader,
                                  traits_for(traits, reader != nullptr), std::move(opts),
                                  std::move(name));
}

} // namespace ahvn::detail
