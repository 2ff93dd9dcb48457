#pragma once

// workload: one benchmark scenario, read from a JSON file in bench/workloads/ (the format is
// described in bench/README.md). A file may list several backends or contexts; it then expands
// into one workload per (backend, context), all under the file's name.
//
// Thread safety: plain values; op_stream is used by one thread.

#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ahvn::bench {

/// A target row of the final table: a bound on one metric of this workload's measurement.
struct target_spec {
  std::string text;   ///< What the issue says, e.g. "<= 2 x the in-thread floor".
  std::string metric; ///< ratio | p50_us | ops_per_s | peer_speedup:<peer> | memory_ratio |
                      ///< idle_cpu_percent
  std::optional<double> max;
  std::optional<double> min;
};

struct workload {
  std::string name;
  std::string file;    ///< The file it came from.
  std::string backend; ///< mem | lmdb | json | sqlite | postgresql | none
  /// store | actor | memoize_sync | memoize_sparse | memoize_async | memoize_actors |
  /// set_writers | set_actors | memory | idle
  std::string context;
  uint64_t keys = 10000;         ///< Entries present before the run; hits pick one uniformly.
  uint32_t value_size = 100;     ///< Bytes of each output (a string).
  double hit_ratio = 1.0;        ///< Of the reads, the share asking for a present key.
  double read_ratio = 1.0;       ///< Of the operations, the share that read (the rest write).
  uint32_t callers = 1;          ///< Threads or actors issuing operations at once.
  uint32_t floor_callers = 0;    ///< Threads running the floor; 0: min(callers, cores).
  uint64_t operations = 20000;   ///< Per repetition, over all callers.
  uint64_t floor_operations = 0; ///< The floor's operations per repetition; 0: `operations`.
  uint32_t floor_batch = 1;      ///< lmdb floor: writes per transaction (one floor caller).
  uint32_t pause_min_us = 0;     ///< memoize_sparse: a random pause in [min, max] between calls.
  uint32_t pause_max_us = 0;
  bool pause_spin = false;  ///< Pause by spinning on the clock instead of sleeping.
  uint32_t window = 1;      ///< Actor contexts: requests in flight per actor.
  uint32_t repetitions = 5; ///< Interleaved with the floor and the peers.
  bool durable = true;      ///< lmdb/json stores: sync every commit.
  /// How floors and peers compute keys: false ("compute_key"): build the inputs object and
  /// call compute_key(); true ("direct"): write the canonical text by hand + key_of_canonical().
  bool direct_keys = false;
  double seconds = 3;             ///< idle: how long the caches sit idle.
  std::vector<std::string> peers; ///< diskcache | redis
  std::vector<target_spec> targets;

  /// "memoize_actors" etc. run several callers: the ratio compares throughput, not latency.
  bool throughput_basis() const;
};

/// Reads every *.json file of `dir`, in file-name order. Throws std::runtime_error naming the
/// file and the field on a malformed file or an unknown backend/context/metric.
std::vector<workload> load_workloads(const std::string& dir);

/// The same workload shrunk to run in a moment (CI's smoke run).
workload tiny(workload w);

/// One operation of a workload.
struct op_spec {
  enum kind_t : uint8_t { hit, miss, write } kind;
  int64_t i; ///< The argument: [0, keys) for hits and writes, a never-used id for misses.
};

/// The operations one caller issues in one repetition: a deterministic pseudo-random sequence.
/// Miss ids are unique across callers and repetitions (seed < 4096, caller < 64, 4M ops each),
/// so a memoized miss never turns into a later hit.
class op_stream {
public:
  op_stream(const workload& w, uint64_t seed, unsigned caller);
  op_spec next();
  /// A pause length in [pause_min_us, pause_max_us].
  uint32_t pause_us();

private:
  uint64_t rand();
  uint64_t state_;
  uint64_t keys_;
  uint64_t hit_threshold_, read_threshold_;
  uint32_t pause_min_, pause_span_;
  int64_t next_miss_;
};

/// The output stored for argument `i`: value_size bytes, a letter that depends on i.
std::string value_of(int64_t i, uint32_t value_size);
/// True if `out` is value_of(i, value_size).
bool is_value_of(const std::string& out, int64_t i, uint32_t value_size);

/// The function name every target uses, so keys agree.
inline constexpr const char* func_name = "bench_fn";
/// The inputs object memoize builds for argument i: {"i": i}.
json inputs_of(int64_t i);
/// The key of argument i (see workload::direct_keys); both forms give the same key.
key key_of_arg(int64_t i, bool direct);
/// The entry memoize stores for argument i: func_name, {"i": i}, value_of(i), metadata {}.
cache_entry entry_of(int64_t i, uint32_t value_size);

} // namespace ahvn::bench
