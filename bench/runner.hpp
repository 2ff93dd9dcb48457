#pragma once

// runner: measures one workload — its subject, its floor and its peers in interleaved
// repetitions (repetition r runs them in an order rotated by r, so drifts of a noisy machine
// hit all of them alike) — and checks the workload's targets.
//
// Reported per contender: the medians over repetitions of ops/s, p50 and p99; and the median
// over repetitions of the per-repetition ratio to the floor of the same repetition: p50 over
// the floor's p50 for one caller, the floor's ops/s over the contender's ops/s for several
// callers (so > 1 always means "costs more than the floor").
//
// Thread safety: the harness's main thread only.

#include "bench/environment.hpp"
#include "bench/measure.hpp"
#include "bench/peers.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ahvn::bench {

/// One row of the final table of targets.
struct target_result {
  std::string workload, text, metric;
  std::optional<double> min, max;
  bool measured = false;
  double value = 0;
  bool pass = false;
  std::string reason; ///< Why not measured.
};

struct workload_result {
  std::vector<measurement> rows;
  std::vector<target_result> targets;
  std::string harness_error; ///< Non-empty: the harness failed on this workload.
};

/// What the runs share: scratch space, servers, options.
struct run_context {
  scratch_dir* scratch = nullptr;
  postgres_server* pg = nullptr;
  std::unique_ptr<redis_server> redis; ///< Started on first use.
  std::string redis_problem;           ///< Set if it could not start.
  std::string diskcache_script;
  unsigned cores = 1;
};

/// Measures `w` (of any context, including memory and idle). Never throws: failures are
/// reported in the result.
workload_result run_workload(const workload& w, run_context& ctx);

} // namespace ahvn::bench
