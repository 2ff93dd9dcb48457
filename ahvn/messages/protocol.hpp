#pragma once

// The typed actor protocol shared by every cache, local or remote: the backend actor, the
// dispatcher, and the actors that stand in front of other caches (a remote proxy, a router)
// all speak `cache_actor`, and one conformance suite (tests/actors/cache_actor_conformance.hpp)
// checks every implementation.
//
// Rules every implementation keeps:
// - A miss is not an error (an empty lookup). Errors are caf::error from ahvn::errc
//   (make_error); no exception leaves a handler.
// - A fetch names its lease holder (fetch_request::holder); nobody reads current_sender() to
//   find out who computes, so the protocol survives any number of hops.
// - complete and abandon both check their lease: only the current lease of a flight completes
//   or abandons it; any other is answered with errc::lease_lost and changes nothing.
// - annotate, pop and remove_if run inside the owning actor as one request each (atomic).
// - Every request a client makes has a finite timeout.
// - version_atom answers protocol_info; a client refuses a peer of another version or interface
//   (errc::version_mismatch, naming both).
//
// Inside one process an entry travels as a pointer to an immutable value; across nodes in its
// compact binary form (messages/inspect.hpp).

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/inspect.hpp"
#include "ahvn/messages/requests.hpp"
#include "ahvn/messages/types.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace ahvn {

// -- atoms (CAF 0.17: at most 10 characters) ------------------------------------------------

using caf::delete_atom;
using caf::flush_atom;
using caf::get_atom;
using caf::ok_atom;
using caf::put_atom;
using clear_atom = caf::atom_constant<caf::atom("clear")>;
using size_atom = caf::atom_constant<caf::atom("size")>;
using has_atom = caf::atom_constant<caf::atom("has")>;
using scan_atom = caf::atom_constant<caf::atom("scan")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using complete_atom = caf::atom_constant<caf::atom("complete")>;
using abandon_atom = caf::atom_constant<caf::atom("abandon")>;
using annotate_atom = caf::atom_constant<caf::atom("annotate")>;
using pop_atom = caf::atom_constant<caf::atom("pop")>;
using remove_if_atom = caf::atom_constant<caf::atom("remove_if")>;
using version_atom = caf::atom_constant<caf::atom("version")>;

// -- the protocol ---------------------------------------------------------------------------

/// The interface of every cache actor. One line per message: who sends it, what comes back.
using cache_actor = caf::typed_actor<
    // get: any client; the entry under the key, or an empty lookup (a miss).
    caf::replies_to<get_atom, key>::with<lookup>,
    // get_many: any client; one lookup per key, in order.
    caf::replies_to<get_atom, std::vector<key>>::with<std::vector<lookup>>,
    // set: any client; stores (replacing) the entry; ok once it is as durable as the store is.
    // A set of a key whose computation is in flight answers that flight's waiters with it.
    caf::replies_to<put_atom, keyed_entry>::with<ok_atom>,
    // set_many: any client; stores all entries in one transaction where the store has them.
    caf::replies_to<put_atom, std::vector<keyed_entry>>::with<ok_atom>,
    // remove: any client; true if an entry was there.
    caf::replies_to<delete_atom, key>::with<bool>,
    // clear: any client; removes every entry and answers how many were removed.
    caf::replies_to<clear_atom>::with<uint64_t>,
    // size: any client; the number of entries.
    caf::replies_to<size_atom>::with<uint64_t>,
    // has: any client; true if an entry is stored under the key (and not expired).
    caf::replies_to<has_atom, key>::with<bool>,
    // scan: any client; one page of entries in key order (see scan_request).
    caf::replies_to<scan_atom, scan_request>::with<scan_page>,
    // stats: any client; the counters.
    caf::replies_to<stats_atom>::with<cache_stats>,
    // flush: any client; ok once every earlier write is durable.
    caf::replies_to<flush_atom>::with<ok_atom>,
    // fetch: a caller whose own read missed; a hit, or a lease for fetch_request::holder to
    // compute (single flight). A caller that joined another's computation is answered when it
    // completes, with errc::computation_failed when it is abandoned, or with a lease of its own
    // when the holder went down, gave up (retry) or its lease ran out.
    caf::replies_to<fetch_atom, fetch_request>::with<fetch_result>,
    // complete: the lease holder; stores the entry and answers everyone waiting for it. A lease
    // that is not the key's current one: errc::lease_lost, nothing stored.
    caf::replies_to<complete_atom, keyed_entry, uint64_t>::with<ok_atom>,
    // abandon: the lease holder, when its function threw (waiters get the failure) or it gave
    // up (retry: the next waiter computes); nothing is stored. A stale lease: errc::lease_lost.
    caf::replies_to<abandon_atom, key, uint64_t, computation_failure>::with<ok_atom>,
    // annotate: any client; the annotated (or new) entry; errc::missing_entry (see
    // annotate_request).
    caf::replies_to<annotate_atom, annotate_request>::with<keyed_entry>,
    // pop: any client; removes and returns up to N entries, first in key order (0: all of them).
    caf::replies_to<pop_atom, uint64_t>::with<std::vector<keyed_entry>>,
    // remove_if: any client; removes the entries the filter matches and answers how many.
    caf::replies_to<remove_if_atom, entry_filter>::with<uint64_t>,
    // version: any client, first, when it connects; the protocol this actor speaks.
    caf::replies_to<version_atom>::with<protocol_info>>;

// -- errors ---------------------------------------------------------------------------------

/// The CAF error category of this project.
constexpr caf::atom_value error_category = caf::atom("ahvn");

/// A caf::error carrying `code` and `message`.
caf::error make_error(errc code, std::string message);

/// Turns any caf::error into a cache_error (codes of other categories become backend_failure,
/// or timeout/unreachable where CAF says so).
cache_error to_cache_error(const caf::error& err);

/// A caf::error for the waiters of an abandoned computation (errc::computation_failed).
caf::error make_failure_error(const computation_failure& failure);

/// The failure carried by an error from make_failure_error, or nullptr.
const computation_failure* failure_of(const caf::error& err);

/// True if `err` is errc::computation_failed: a computation this caller waited for failed.
bool is_computation_failure(const caf::error& err);

/// errc::version_mismatch unless `peer` speaks this protocol; `where` names the peer.
caf::error check_version(const protocol_info& peer, const std::string& where);

/// Registers every message type and the error category; call on each node's config before
/// starting the actor system (the systems the library creates do it themselves).
void add_message_types(caf::actor_system_config& cfg);

} // namespace ahvn
