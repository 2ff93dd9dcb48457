#pragma once

// The payloads of the cache protocol that only actors exchange (messages/protocol.hpp): single
// flight, the compound operations and the version handshake. The payloads stores share with
// actors (lookup, keyed_entry, scan pages, stats) are in messages/types.hpp.

#include "ahvn/messages/types.hpp"

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <caf/actor.hpp>

namespace ahvn {

/// The protocol's version. A peer that answers version_atom with another number (or another
/// interface name) is refused with errc::version_mismatch naming both. Version 1 was the
/// single-process protocol (lease holders taken from the sender); 2 names them explicitly.
constexpr uint32_t protocol_version = 2;

/// The name every cache_actor reports with its version.
constexpr const char* protocol_interface = "ahvn.cache_actor";

/// What a cache actor says about the protocol it speaks (the answer to version_atom).
struct protocol_info {
  uint32_t version = protocol_version;
  std::string interface = protocol_interface;
};

/// Who computes a missed key under a lease (single flight). The owning actor never looks at the
/// sender of a fetch: behind a dispatcher, a router or a remote proxy the sender is not the
/// caller. `actor`, when set, is monitored: if it goes down (it quit, its process died, its node
/// became unreachable) the lease passes to the next waiter at once. Otherwise only the lease
/// timeout ends it. `id` names a plain-thread caller in log lines.
struct lease_holder {
  caf::actor actor;
  uint64_t id = 0;
};

/// What a caller asks when its caller-thread read missed: the entry under `k`, or the right to
/// compute it (single flight: callers that miss the same key at once share one computation).
struct fetch_request {
  key k;
  std::string func;             ///< The function's name (for feeds and messages).
  json inputs = json::object(); ///< Its inputs (for feeds).
  bool coalesce = true;         ///< Join a computation of the same key that is already running.
  uint32_t lease_ms = 0;        ///< How long the holder may compute before a waiter takes over;
                                ///< 0: the cache's default.
  lease_holder holder;          ///< Who computes if this fetch gets the lease.
};

/// The answer to a fetch: a hit, or a lease to compute.
struct fetch_result {
  entry_ptr entry;    ///< A hit: from the store, a feed, or another caller's computation.
  uint64_t lease = 0; ///< A miss: nonzero. Compute, then complete (with the lease) or abandon.
};

/// Why a computation was abandoned: the message travels everywhere; the exception itself only
/// inside one process, so that every waiter there rethrows the very exception the function
/// threw. `retry`: nothing failed — the holder gave up (a stream consumer that stopped early);
/// the lease passes to the next waiter instead of failing the waiters.
struct computation_failure {
  std::string what;
  std::exception_ptr error;
  bool retry = false;
};

/// The seed's annotate as one request: the entry under `k` gets `expected` (when unset: its
/// output) and `metadata` merged into its metadata. With no entry and an `expected`, a new entry
/// {func, inputs, output = expected = expected, metadata} is stored; with neither, the answer is
/// errc::missing_entry. REQUIRES: k == compute_key(func, inputs).
struct annotate_request {
  key k;
  std::string func;
  json inputs = json::object();
  std::optional<json> expected;
  json metadata = nullptr;
};

/// Which entries remove_if removes: those of `func` (any when empty) whose
/// metadata["annotation"] holds every member of `annotation` (any when null) and, inside one
/// process only, for which `predicate` is true (a C++ function cannot cross nodes: a request
/// carrying one is refused there with errc::not_supported).
struct entry_filter {
  std::string func;
  json annotation = nullptr;
  std::shared_ptr<const std::function<bool(const cache_entry&)>> predicate;

  /// True if `e` passes every condition above.
  bool matches(const cache_entry& e) const;
};

} // namespace ahvn
