#pragma once

// measure: what one batch of operations produced, the drivers that time operations, and the
// rows the harness prints.
//
// Timing: every operation is timed on its own with std::chrono::steady_clock (two clock reads,
// ~20 ns on this kind of machine with the TSC clocksource; the harness prints the measured cost
// at start). ops/s is the batch's operations divided by its wall time (for memoize_sparse: by
// the summed operation times, since the pauses are not work).
//
// Thread safety: plain values; a driver runs its own threads and joins them before returning.

#include "bench/workload.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ahvn::bench {

using steady = std::chrono::steady_clock;

/// Set by SIGINT/SIGTERM: drivers stop issuing operations and the harness cleans up.
extern std::atomic<bool> interrupted;

/// Nanoseconds between two clock readings, saturated to 32 bits (4.2 s).
inline uint32_t ns_between(steady::time_point a, steady::time_point b) {
  auto n = std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
  return n < 0 ? 0 : n > 0xFFFFFFFFll ? 0xFFFFFFFFu : static_cast<uint32_t>(n);
}

/// One batch: `ops` operations, their latencies, the wall time.
struct batch {
  uint64_t ops = 0;
  double seconds = 0;           ///< The basis of ops/s.
  std::vector<uint32_t> lat_ns; ///< One per operation (any order).
  uint64_t hits = 0;            ///< Reads that found a value.
  uint64_t misses = 0;          ///< Reads of keys that were never stored.
  uint64_t errors = 0;          ///< Wrong or missing values: the harness fails on any.
  std::string first_error;
};

/// ops/s and latency percentiles of one batch.
struct summary {
  double ops_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
};
summary summarize(batch& b);

/// Counts an error in `b` if the memoized function ran more often (`computed`) than there were
/// misses: a read of a filled key computed.
void check_computed(batch& b, int64_t computed);

/// The median of `xs` (0 if empty).
double median(std::vector<double> xs);

/// Something that runs one operation at a time and may be called from several threads at once
/// when `concurrent()` is true (floors, store/actor/memoize subjects, Redis).
class op_runner {
public:
  virtual ~op_runner() = default;
  /// Runs `op`; returns true and sets `out` to the value when a read found (or computed) one.
  /// `caller` is the calling thread's index.
  virtual bool run(const op_spec& op, std::string& out, unsigned caller) = 0;
  /// True when `out` holds the stored bytes (an encoded entry, a row) rather than the value:
  /// then a found read is checked only for holding at least value_size bytes.
  virtual bool raw_values() const { return false; }
  /// True when a miss must still yield the value (memoize computes it).
  virtual bool computes_misses() const { return false; }
  /// The number of times the memoized function ran (to catch hits that computed), or -1.
  virtual int64_t computed() const { return -1; }
  /// False for the no-op backend: a read of a filled key need not find anything.
  virtual bool keeps_entries() const { return true; }
};

/// Runs `w.operations` operations split over `threads` threads (one op_stream each, seeded with
/// `seed`), timing each; checks every value. With w.pause_max_us > 0, pauses between calls.
batch drive(op_runner& r, const workload& w, uint64_t seed, unsigned threads);

/// Anything measured in repetitions: a floor, a subject, a peer.
class contender {
public:
  virtual ~contender() = default;
  /// Runs one batch of the workload's operations; `seed` selects the operation sequence.
  virtual batch run(const workload& w, uint64_t seed) = 0;
};

/// A contender that drives an op_runner on a fixed number of threads.
class driven final : public contender {
public:
  driven(std::unique_ptr<op_runner> r, unsigned threads) : r_(std::move(r)), threads_(threads) {}
  batch run(const workload& w, uint64_t seed) override { return drive(*r_, w, seed, threads_); }

private:
  std::unique_ptr<op_runner> r_;
  unsigned threads_;
};

/// A printed result.
struct measurement {
  std::string name, backend, context;
  std::string role;    ///< subject | floor | peer | special
  std::string against; ///< What `ratio` compares with.
  std::string basis;   ///< "p50" (latency per op) or "ops/s" (throughput)
  double ops_per_s = 0, p50_us = 0, p99_us = 0;
  double ratio = 0; ///< Cost relative to the floor (>1: slower), median over repetitions.
  uint32_t repetitions = 0, callers = 1;
  uint64_t operations = 0;
  bool measured = true;
  std::string reason;          ///< Why not measured.
  json extra = json::object(); ///< Context-specific values (memory, idle CPU, ...).
};

/// The row as one JSON object (the --json output).
json to_json(const measurement& m);
/// A table header and one aligned table row for humans.
std::string text_header();
std::string to_text(const measurement& m);

} // namespace ahvn::bench
