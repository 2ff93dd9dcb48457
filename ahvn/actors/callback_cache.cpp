#include "ahvn/actors/callback_cache.hpp"

#include "ahvn/actors/dispatcher.hpp"
#include "ahvn/actors/system.hpp"
#include "ahvn/backends/null_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

namespace ahvn {

namespace {

// A core whose actor is a dispatcher in front of `inner`'s actor. The new core keeps `inner`
// alive and lets it go right after itself, so the dispatcher is told to quit before the inner
// actor (and before an actor system `inner` owns waits for its actors).
std::shared_ptr<detail::cache_core> dispatched_core(std::shared_ptr<detail::cache_core> inner,
                                                    std::vector<callback> callbacks,
                                                    std::vector<feed> feeds,
                                                    dispatcher_options dopts,
                                                    std::shared_ptr<concurrent_reader> reader) {
  auto& sys = inner->system();
  const auto& opts = inner->options();
  dopts.exclude = opts.exclude;
  dopts.request_timeout = opts.request_timeout;
  dopts.default_lease = opts.lease;
  auto actor = spawn_dispatcher(sys, inner->actor(), std::move(callbacks), std::move(feeds),
                                std::move(dopts));
  try {
    auto core = std::make_unique<detail::cache_core>(std::make_unique<system_handle>(sys), actor,
                                                     std::move(reader), opts);
    return {core.release(), [inner](detail::cache_core* p) mutable {
              delete p;
              inner.reset();
            }};
  } catch (...) {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    throw;
  }
}

} // namespace

callback_cache::callback_cache(std::vector<callback> callbacks, std::vector<feed> feeds,
                               cache_options opts, callback_options copts)
    : cache(build(nullptr, std::move(callbacks), std::move(feeds), std::move(opts), copts)) {}

callback_cache::callback_cache(caf::actor_system& sys, std::vector<callback> callbacks,
                               std::vector<feed> feeds, cache_options opts, callback_options copts)
    : cache(build(&sys, std::move(callbacks), std::move(feeds), std::move(opts), copts)) {}

std::shared_ptr<detail::cache_core>
callback_cache::build(caf::actor_system* sys, std::vector<callback> callbacks,
                      std::vector<feed> feeds, cache_options opts, callback_options copts) {
  auto inner =
      make_core(std::make_unique<null_store>(), sys, store_kind::stores_nothing, std::move(opts));
  dispatcher_options d;
  d.name = "callback_cache";
  d.stores_nothing = true;
  d.feed_timeout = copts.feed_timeout;
  return dispatched_core(std::move(inner), std::move(callbacks), std::move(feeds), std::move(d),
                         nullptr);
}

cache observe(const cache& inner, std::vector<callback> callbacks, std::vector<feed> feeds,
              callback_options copts) {
  const auto& core = inner.core();
  if (!core) throw cache_error(errc::invalid_argument, "observe: the cache handle is empty");
  dispatcher_options d;
  d.name = "observer";
  d.feed_timeout = copts.feed_timeout;
  // Hits involve neither callbacks nor feeds: they may keep using the inner store's reader.
  auto outer =
      dispatched_core(core, std::move(callbacks), std::move(feeds), std::move(d), core->reader());
  struct observed : cache {
    explicit observed(std::shared_ptr<detail::cache_core> c) : cache(std::move(c)) {}
  };
  return observed{std::move(outer)};
}

} // namespace ahvn
