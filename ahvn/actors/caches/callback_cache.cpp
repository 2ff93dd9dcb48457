#include "ahvn/actors/caches/callback_cache.hpp"

#include "ahvn/actors/caches/make_client.hpp"
#include "ahvn/actors/dispatcher.hpp"
#include "ahvn/backends/null_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

namespace ahvn {

namespace {

// A client whose actor is a dispatcher in front of `inner`'s actor, with `traits`. The new
// client keeps `inner` alive and lets it go right after itself, so the dispatcher is told to
// quit before the inner actor. `share`: take over `inner`'s local flights and reader (an
// observer: callers through either handle share one computation and see the same pending
// values).
std::shared_ptr<detail::client> dispatched(std::shared_ptr<detail::client> inner,
                                           std::vector<callback> callbacks, std::vector<feed> feeds,
                                           dispatcher_options dopts, detail::client_traits traits,
                                           bool share) {
  const auto& opts = inner->options();
  dopts.exclude = opts.exclude;
  dopts.request_timeout = opts.request_timeout;
  dopts.default_lease = opts.lease;
  auto name = dopts.name + " of " + inner->name();
  auto actor = spawn_dispatcher(inner->system(), inner->actor(), std::move(callbacks),
                                std::move(feeds), std::move(dopts));
  try {
    auto outer = std::make_unique<detail::client>(
        inner->system_ref(), actor, share ? inner->reader() : nullptr, traits, opts,
        std::move(name), share ? inner->agent_state() : nullptr,
        share ? inner->agent() : detail::flight_agent{});
    return {outer.release(), [inner](detail::client* p) mutable {
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

std::shared_ptr<detail::client> callback_cache::build(caf::actor_system* sys,
                                                      std::vector<callback> callbacks,
                                                      std::vector<feed> feeds, cache_options opts,
                                                      callback_options copts) {
  auto inner = detail::make_client(std::make_unique<null_store>(), sys, std::move(opts));
  dispatcher_options d;
  d.name = "callback_cache";
  d.stores_nothing = true;
  d.feed_timeout = copts.feed_timeout;
  // Nothing is stored: a miss asks the feeds (if any), callers do not wait for one another, and
  // every result is "written" so that the callbacks see it.
  detail::client_traits traits;
  traits.fetch_on_miss = !feeds.empty();
  traits.coalesce = false;
  traits.keeps = false;
  return dispatched(std::move(inner), std::move(callbacks), std::move(feeds), std::move(d), traits,
                    false);
}

cache observe(const cache& inner, std::vector<callback> callbacks, std::vector<feed> feeds,
              callback_options copts) {
  const auto& c = inner.client();
  if (!c) throw cache_error(errc::invalid_argument, "observe: the cache handle is empty");
  dispatcher_options d;
  d.name = "observer";
  d.feed_timeout = copts.feed_timeout;
  // Hits involve neither callbacks nor feeds: they keep using the inner store's reader. A miss
  // asks the feeds before the function runs.
  auto traits = c->traits();
  traits.fetch_on_miss = traits.fetch_on_miss || !feeds.empty();
  traits.writes = true; // callbacks see the sets even when the inner cache keeps nothing
  return cache(dispatched(c, std::move(callbacks), std::move(feeds), std::move(d), traits, true));
}

} // namespace ahvn
