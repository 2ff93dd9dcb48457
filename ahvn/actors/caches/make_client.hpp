#pragma once

// make_client: how a cache handle is built from a store — the store's traits decide its backend
// actor (a thread of its own and group commit for stores that block) and its client (fetch on a
// caller-thread miss when there is no reader, wait for writes on durable stores). Every handle's
// constructor is one call of this. Internal to actors/caches/.

#include "ahvn/actors/client/client.hpp"
#include "ahvn/backends/store.hpp"

#include <memory>

#include <caf/fwd.hpp>

namespace ahvn::detail {

/// A client in front of a new backend actor that owns `s`, on `sys` (the default system when
/// null). The store was opened by the caller, so a configuration error surfaced before any actor
/// (or actor system) started.
std::shared_ptr<client> make_client(std::unique_ptr<store> s, caf::actor_system* sys,
                                    cache_options opts);

/// The system handle for `sys` (the default system when null).
system_handle system_for(caf::actor_system* sys);

} // namespace ahvn::detail
