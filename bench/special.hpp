#pragma once

// special: the measurements that are not operations per second, each in a fresh child process
// (this executable run with --child) so that its resident size and CPU time are its own.
//
//   memory  fills an in_mem_cache with `keys` memoized entries of `value_size`-byte outputs (all
//           misses of bench_fn from 16 actors, 32 requests in flight each), then reports the
//           growth of the resident set since before the cache existed, and the summed size of
//           canonical(entry.to_dict()) over the cache's entries (read back by iterating it).
//   idle    opens an in_mem_cache, a disk_cache and a database_cache on SQLite, memoizes a few
//           calls on each, then sleeps `seconds` and reports the CPU time the process used
//           meanwhile (getrusage) as a percentage of one core, with the busiest threads.
//
// Thread safety: called from the harness's main thread.

#include "ahvn/messages/json.hpp"

#include <string>
#include <vector>

namespace ahvn::bench {

/// Runs a --child mode (args after "--child") and prints one JSON line; returns the exit code.
int run_child(const std::vector<std::string>& args);

/// Runs the memory child; returns its JSON (entries, rss_growth_bytes, canonical_bytes,
/// memory_ratio, ...). Throws std::runtime_error if it fails.
json measure_memory(uint64_t keys, uint32_t value_size);

/// Runs the idle child with its caches in `dir`; returns its JSON (idle_cpu_percent, ...).
json measure_idle(double seconds, const std::string& dir);

} // namespace ahvn::bench
