#pragma once

// The node actor: what a cache node (apps/cache-node) publishes with CAF's middleman — a cache
// actor in front of the node's backend actor that adds what remote clients need:
// - the handshake (hello): a client of another protocol version or interface is refused with
//   errc::version_mismatch naming both; each client is monitored (connected_clients);
// - tracking for near caches (messages/node_protocol.hpp): the keys a tracking client read are
//   remembered per key and invalidated at its listener when they change;
// - counters for the metrics endpoint: requests, errors, and a latency histogram.
// Every other message is the cache protocol, forwarded to the backend with the node's request
// timeout, and passes the cache_actor conformance suite.
//
// Concurrency: an actor; node_counters may be read from any thread.

#include "ahvn/messages/node_protocol.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

namespace ahvn {

struct node_options {
  /// Names the node in log lines and errors ("cache-node lmdb:/var/cache/x on 127.0.0.1:4242").
  std::string name = "cache-node";
  /// How long the backend may take to answer a forwarded request (fetches: plus their lease).
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  /// The longest lease a fetch may ask for (a forwarded fetch waits this long plus the timeout).
  std::chrono::milliseconds max_lease = std::chrono::seconds(60);
  /// Keys remembered per tracking client; past it the oldest are invalidated (and forgotten).
  size_t track_limit = 100000;
};

/// What a node has counted, readable from any thread (the metrics endpoint).
struct node_counters {
  /// Upper bounds of the latency histogram's buckets, in microseconds (+Inf implied).
  static constexpr std::array<uint64_t, 14> bounds_us = {
      50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 5000000};
  std::array<std::atomic<uint64_t>, bounds_us.size() + 1> buckets{}; ///< the last one: +Inf
  std::atomic<uint64_t> latency_sum_us{0};
  std::atomic<uint64_t> requests{0};          ///< cache protocol requests answered
  std::atomic<uint64_t> failed_requests{0};   ///< of which answered with an error
  std::atomic<uint64_t> connected_clients{0}; ///< clients that said hello and are up
  std::atomic<uint64_t> invalidations{0};     ///< keys invalidated at tracking clients

  /// Counts one request that took `took`.
  void record(std::chrono::nanoseconds took, bool failed) noexcept;
};

/// The node actor and its counters.
struct spawned_node {
  node_actor actor;
  std::shared_ptr<const node_counters> counters;
};

/// Spawns a node actor in front of `backend` on `sys`. It quits when `backend` goes down, and
/// tells nobody else to quit (the caller owns the backend).
spawned_node spawn_node(caf::actor_system& sys, cache_actor backend, node_options opts = {});

} // namespace ahvn
