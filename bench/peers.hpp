#pragma once

// peers: what a user would pick instead, measured in the same run on the same workload.
//
//   diskcache  Python's diskcache (Debian's python3-diskcache), @cache.memoize on a
//              diskcache.Cache in a scratch directory, driven by bench/peers/diskcache_peer.py
//              under /usr/bin/python3 (one process per workload; it times each call with
//              time.perf_counter_ns and sends the latencies back). One caller.
//   redis      redis-server on loopback (Debian's redis-server, started on a free port in a
//              scratch directory by the harness, without persistence, and stopped at the end),
//              reached with hiredis: a memoize-like hit computes the key in-process (canonical
//              JSON + MD5, as memoize does), GETs the 40-digit key and parses the stored JSON
//              value. One connection per caller thread.
//
// Concurrency: used by the harness's main thread; the Redis runner's callers each use their own
// connection.

#include "bench/environment.hpp"
#include "bench/measure.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ahvn::bench {

/// A redis-server process on 127.0.0.1, stopped on destruction.
class redis_server {
public:
  /// Starts redis-server with its files in `dir`; throws std::runtime_error if it is not
  /// installed or does not answer PING within 10 s.
  explicit redis_server(const std::string& dir);
  uint16_t port() const { return port_; }

private:
  std::unique_ptr<child_process> proc_;
  uint16_t port_ = 0;
};

/// The Redis peer for `w`: flushes the server and stores w.keys entries.
std::unique_ptr<op_runner> make_redis_peer(const workload& w, uint16_t port);

/// The diskcache peer for `w`, filled in `dir`. Throws std::runtime_error if Python or diskcache
/// is missing or the peer fails.
std::unique_ptr<contender> make_diskcache_peer(const workload& w, const std::string& dir,
                                               const std::string& script);

} // namespace ahvn::bench
