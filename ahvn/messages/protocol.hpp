#pragma once

// The typed actor protocol shared by every cache, local or remote: the backend actors, the
// dispatcher and the router all speak `cache_actor`. Inside one process an entry travels as a
// pointer to an immutable value; across nodes it travels in its compact binary form
// (encode_entry), so every type here has an `inspect` and is registered by add_message_types().
//
// Errors: a handler answers with a caf::error made by make_error() from ahvn::errc; a miss is
// not an error (an empty lookup).

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/save_callback.hpp>
#include <caf/meta/type_name.hpp>
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
using abandon_atom = caf::atom_constant<caf::atom("abandon")>;

// -- the protocol ---------------------------------------------------------------------------

/// The interface of every cache actor. One line per message: who sends it, what comes back.
using cache_actor = caf::typed_actor<
    // get: any client; the entry under the key, or an empty lookup (a miss).
    caf::replies_to<get_atom, key>::with<lookup>,
    // get_many: any client; one lookup per key, in order.
    caf::replies_to<get_atom, std::vector<key>>::with<std::vector<lookup>>,
    // set: any client; stores (replacing) the entry; ok once it is as durable as the store is.
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
    // fetch: memoize; a hit, or a lease to compute (single flight). A caller that joined another's
    // computation is answered when it completes, or with errc::computation_failed when it is
    // abandoned, or with a lease of its own when the computing caller vanished.
    caf::replies_to<fetch_atom, fetch_request>::with<fetch_result>,
    // complete: the leaseholder; stores the entry and answers everyone waiting for it.
    caf::replies_to<put_atom, keyed_entry, uint64_t>::with<ok_atom>,
    // abandon: the leaseholder, when its function threw; waiters get the failure, nothing is
    // stored.
    caf::replies_to<abandon_atom, key, uint64_t, computation_failure>::with<ok_atom>>;

// -- errors ---------------------------------------------------------------------------------

/// The CAF error category of this project.
constexpr caf::atom_value error_category = caf::atom("ahvn");

/// A caf::error carrying `code` and `message`.
caf::error make_error(errc code, std::string message);

/// Turns any caf::error into a cache_error (codes of other categories become backend_failure,
/// or timeout/unreachable where CAF says so).
cache_error to_cache_error(const caf::error& err);

/// Registers every message type and the error category; call on each node's config before
/// starting the actor system (the cache handles do it for systems they create).
void add_message_types(caf::actor_system_config& cfg);

// -- inspection (serialization for remote use) -----------------------------------------------

namespace detail {

inline caf::error encode_ptr(const entry_ptr& p, bool& present, std::string& bytes) {
  present = p != nullptr;
  if (present) bytes = encode_entry(*p);
  return caf::none;
}

inline caf::error decode_ptr(entry_ptr& p, bool present, const std::string& bytes) {
  if (!present) {
    p.reset();
    return caf::none;
  }
  try {
    p = std::make_shared<const cache_entry>(decode_entry(bytes, "a CAF message"));
    return caf::none;
  } catch (const cache_error& e) {
    return make_error(e.code(), e.message());
  }
}

// JSON travels as its text; a text that does not parse is an error naming `what`.
inline caf::error decode_json(json& x, const std::string& text, const char* what) {
  try {
    x = parse_json(text, what);
    return caf::none;
  } catch (const cache_error& e) {
    return make_error(e.code(), e.message());
  }
}

} // namespace detail

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, key& x) {
  uint64_t hi = x.hi(), lo = x.lo();
  auto load = [&]() -> caf::error {
    x = key{hi, lo};
    return caf::none;
  };
  return f(caf::meta::type_name("ahvn::key"), hi, lo, caf::meta::load_callback(load));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lookup& x) {
  bool present = false;
  std::string bytes;
  auto save = [&] { return detail::encode_ptr(x.entry, present, bytes); };
  auto load = [&] { return detail::decode_ptr(x.entry, present, bytes); };
  return f(caf::meta::type_name("ahvn::lookup"), caf::meta::save_callback(save), present, bytes,
           caf::meta::load_callback(load));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, keyed_entry& x) {
  bool present = false;
  std::string bytes;
  auto save = [&] { return detail::encode_ptr(x.entry, present, bytes); };
  auto load = [&] { return detail::decode_ptr(x.entry, present, bytes); };
  return f(caf::meta::type_name("ahvn::keyed_entry"), x.k, caf::meta::save_callback(save), present,
           bytes, caf::meta::load_callback(load));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scan_request& x) {
  bool has_after = x.after.has_value();
  key after = x.after.value_or(key{});
  auto load = [&]() -> caf::error {
    x.after = has_after ? std::optional<key>{after} : std::nullopt;
    return caf::none;
  };
  return f(caf::meta::type_name("ahvn::scan_request"), has_after, after, x.limit, x.func,
           caf::meta::load_callback(load));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scan_page& x) {
  return f(caf::meta::type_name("ahvn::scan_page"), x.entries, x.last, x.more);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fetch_request& x) {
  std::string inputs;
  auto save = [&]() -> caf::error {
    inputs = x.inputs.dump();
    return caf::none;
  };
  auto load = [&] { return detail::decode_json(x.inputs, inputs, "a fetch request"); };
  return f(caf::meta::type_name("ahvn::fetch_request"), x.k, x.func, caf::meta::save_callback(save),
           inputs, caf::meta::load_callback(load), x.coalesce, x.lease_ms, x.watch_sender);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fetch_result& x) {
  bool present = false;
  std::string bytes;
  auto save = [&] { return detail::encode_ptr(x.entry, present, bytes); };
  auto load = [&] { return detail::decode_ptr(x.entry, present, bytes); };
  return f(caf::meta::type_name("ahvn::fetch_result"), caf::meta::save_callback(save), present,
           bytes, caf::meta::load_callback(load), x.lease);
}

/// Only the message crosses nodes; the exception stays in its process.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, computation_failure& x) {
  return f(caf::meta::type_name("ahvn::computation_failure"), x.what);
}

/// A caf::error for the waiters of an abandoned computation (errc::computation_failed).
caf::error make_failure_error(const computation_failure& failure);

/// The failure carried by an error from make_failure_error, or nullptr.
const computation_failure* failure_of(const caf::error& err);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_stats& x) {
  return f(caf::meta::type_name("ahvn::cache_stats"), x.hits, x.misses, x.sets, x.removes,
           x.evictions, x.expirations, x.coalesced, x.errors, x.entries);
}

} // namespace ahvn
