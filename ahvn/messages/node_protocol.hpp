#pragma once

// The protocol of a cache node (apps/cache-node): what a process that publishes a cache with
// CAF's middleman speaks to its remote clients — the cache protocol (messages/protocol.hpp) plus
// the handshake, and the invalidations it pushes to clients that keep a near cache.
//
//   client                                   node
//     hello(client_hello) ───────────────────►  checks the version, monitors the client
//     ◄──────────────────────── protocol_info   (or errc::version_mismatch, naming both)
//     get / fetch / set / ... ───────────────►  the cache protocol
//     ◄───────── invalidate(keys) / invalidate  when a key a tracking client read changes
//
// Tracking (Redis's client-side caching): a client whose hello says `track` has every entry it
// reads from then on remembered by the node, per key; when such a key is set, removed, expires
// or is evicted, the node sends the client's listener invalidate(keys) once and forgets the
// pair; clear sends invalidate() (everything). A client that loses its connection must drop
// what it holds: the node cannot reach it any more.

#include "ahvn/messages/protocol.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace ahvn {

using hello_atom = caf::atom_constant<caf::atom("hello")>;
using invalidate_atom = caf::atom_constant<caf::atom("invalidate")>;

/// What a client says when it connects.
struct client_hello {
  uint32_t version = protocol_version;
  std::string interface = protocol_interface;
  std::string name;    ///< for the node's log lines (host, process)
  caf::actor listener; ///< receives invalidations (a near_listener); monitored by the node
  bool track = false;  ///< remember the keys this client reads and invalidate them
};

/// A client's receiver of invalidations: the keys that changed, or (no keys) everything.
using near_listener = caf::typed_actor<caf::reacts_to<invalidate_atom, std::vector<key>>,
                                       caf::reacts_to<invalidate_atom>>;

/// The interface a cache node publishes.
using node_actor = cache_actor::extend<
    // hello: a client, first; the node's protocol, or errc::version_mismatch naming both.
    caf::replies_to<hello_atom, client_hello>::with<protocol_info>>;

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, client_hello& x) {
  return f(caf::meta::type_name("ahvn::client_hello"), x.version, x.interface, x.name, x.listener,
           x.track);
}

} // namespace ahvn
