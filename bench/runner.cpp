#include "bench/runner.hpp"

#include "bench/floors.hpp"
#include "bench/special.hpp"
#include "bench/subjects.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace ahvn::bench {

namespace {

/// One contender in the interleaving, with its per-repetition summaries.
struct lane {
  std::string role, backend, context;
  std::unique_ptr<contender> c;
  workload w; ///< The workload as this lane runs it (the floor may run fewer operations).
  std::vector<summary> sums;
};

unsigned floor_threads(const workload& w, unsigned cores) {
  if (!floor_is_concurrent(w.backend)) return 1;
  if (w.floor_callers) return w.floor_callers;
  return std::min(w.callers, cores);
}

measurement row(const workload& w, std::string role, std::string backend, std::string context) {
  measurement m;
  m.name = w.name;
  m.role = std::move(role);
  m.backend = std::move(backend);
  m.context = std::move(context);
  m.repetitions = w.repetitions;
  m.operations = w.operations;
  m.callers = w.callers;
  return m;
}

measurement not_measured(const workload& w, std::string role, std::string backend,
                         std::string context, std::string reason) {
  auto m = row(w, std::move(role), std::move(backend), std::move(context));
  m.measured = false;
  m.reason = std::move(reason);
  return m;
}

void evaluate(const workload& w, const std::map<std::string, double>& metrics,
              const std::string& reason, workload_result& res) {
  for (const auto& t : w.targets) {
    target_result r;
    r.workload = w.name;
    r.text = t.text;
    r.metric = t.metric;
    r.min = t.min;
    r.max = t.max;
    if (auto it = metrics.find(t.metric); it != metrics.end()) {
      r.measured = true;
      r.value = it->second;
      r.pass = (!t.max || r.value <= *t.max) && (!t.min || r.value >= *t.min);
    } else {
      r.reason = reason.empty() ? "no " + t.metric + " measured" : reason;
    }
    res.targets.push_back(std::move(r));
  }
}

/// The per-repetition ratio of `a` to `base`, median over repetitions: > 1 means `a` costs more.
double ratio_of(const lane& a, const lane& base, bool throughput) {
  std::vector<double> rs;
  for (size_t r = 0; r < a.sums.size() && r < base.sums.size(); ++r) {
    if (throughput)
      rs.push_back(base.sums[r].ops_per_s / std::max(a.sums[r].ops_per_s, 1e-9));
    else
      rs.push_back(a.sums[r].p50_us / std::max(base.sums[r].p50_us, 1e-9));
  }
  return median(rs);
}

double median_of(const lane& l, double summary::*field) {
  std::vector<double> xs;
  for (const auto& s : l.sums)
    xs.push_back(s.*field);
  return median(xs);
}

void add_peer(const workload& w, const std::string& peer, run_context& ctx,
              std::vector<lane>& lanes, workload_result& res) {
  const std::string context = peer == "redis" ? "GET+parse" : "memoize";
  try {
    if (peer == "diskcache") {
      lanes.push_back(
          {"peer",
           peer,
           context,
           make_diskcache_peer(w, ctx.scratch->fresh("diskcache"), ctx.diskcache_script),
           w,
           {}});
      return;
    }
    if (!ctx.redis && ctx.redis_problem.empty()) {
      try {
        ctx.redis = std::make_unique<redis_server>(ctx.scratch->fresh_kept("redis"));
      } catch (const std::exception& e) {
        ctx.redis_problem = e.what();
      }
    }
    if (!ctx.redis) {
      res.rows.push_back(not_measured(w, "peer", peer, context, ctx.redis_problem));
      return;
    }
    lanes.push_back({"peer",
                     peer,
                     context,
                     std::make_unique<driven>(make_redis_peer(w, ctx.redis->port()), w.callers),
                     w,
                     {}});
  } catch (const std::exception& e) {
    res.rows.push_back(not_measured(w, "peer", peer, context, e.what()));
  }
}

workload_result run_ops(const workload& w, run_context& ctx) {
  workload_result res;
  std::optional<std::string> pg_url;
  if (w.backend == "postgresql") {
    pg_url = ctx.pg->url();
    if (!pg_url) {
      res.rows.push_back(not_measured(w, "subject", w.backend, w.context, ctx.pg->reason()));
      evaluate(w, {}, ctx.pg->reason(), res);
      return res;
    }
  }
  std::vector<lane> lanes;
  try {
    auto f = make_floor(w, ctx.scratch->fresh("floor"), pg_url);
    workload fw = w;
    if (w.floor_operations) fw.operations = std::max<uint64_t>(w.floor_operations, w.callers);
    lanes.push_back({"floor",
                     w.backend,
                     f.label,
                     std::make_unique<driven>(std::move(f.runner), floor_threads(w, ctx.cores)),
                     fw,
                     {}});
    lanes.push_back({"subject",
                     w.backend,
                     w.context,
                     make_subject(w, ctx.scratch->fresh(w.backend), pg_url),
                     w,
                     {}});
  } catch (const std::exception& e) {
    res.harness_error = std::string("setting up: ") + e.what();
    return res;
  }
  for (const auto& p : w.peers)
    add_peer(w, p, ctx, lanes, res);

  try {
    for (auto& l : lanes) {
      workload warm = l.w; // warm-up: caches, allocators, connections; not recorded
      warm.operations = std::max<uint64_t>(
          std::min<uint64_t>(l.w.operations / 5, w.pause_max_us > 0 ? 50 : 2000), w.callers);
      batch b = l.c->run(warm, 4000);
      if (b.errors)
        throw std::runtime_error(l.role + " " + l.backend + " (warm-up): " + b.first_error);
    }
    for (uint32_t r = 0; r < w.repetitions; ++r) {
      for (size_t k = 0; k < lanes.size(); ++k) {
        if (interrupted) throw std::runtime_error("interrupted");
        auto& l = lanes[(k + r) % lanes.size()];
        batch b = l.c->run(l.w, r + 1);
        if (b.errors)
          throw std::runtime_error(l.role + " " + l.backend + ": " + b.first_error + " (" +
                                   std::to_string(b.errors) + " errors)");
        l.sums.push_back(summarize(b));
      }
    }
  } catch (const std::exception& e) {
    res.harness_error = e.what();
    return res;
  }

  const bool throughput = w.throughput_basis();
  const lane& floor = lanes[0];
  const lane& subj = lanes[1];
  std::map<std::string, double> metrics;
  std::vector<measurement> rows;
  for (const auto& l : lanes) {
    auto m = row(w, l.role, l.backend, l.context);
    m.operations = l.w.operations;
    m.ops_per_s = median_of(l, &summary::ops_per_s);
    m.p50_us = median_of(l, &summary::p50_us);
    m.p99_us = median_of(l, &summary::p99_us);
    m.ratio = ratio_of(l, floor, throughput);
    m.against = floor.context;
    m.basis = throughput ? "ops/s" : "p50";
    if (l.role == "peer") {
      // How many times the subject's cost the peer's is (> 1: the subject is faster).
      double speedup = 1 / std::max(ratio_of(subj, l, throughput), 1e-12);
      m.extra["subject_speedup"] = speedup;
      metrics["peer_speedup:" + l.backend] = speedup;
    }
    if (l.role == "floor") m.extra["threads"] = floor_threads(w, ctx.cores);
    rows.push_back(std::move(m));
  }
  // Subject first, then the floor, then the peers.
  std::swap(rows[0], rows[1]);
  for (auto& m : rows)
    res.rows.push_back(std::move(m));
  metrics["ratio"] = res.rows[0].ratio;
  metrics["p50_us"] = res.rows[0].p50_us;
  metrics["ops_per_s"] = res.rows[0].ops_per_s;
  evaluate(w, metrics, {}, res);
  return res;
}

workload_result run_special(const workload& w, run_context& ctx) {
  workload_result res;
  std::map<std::string, double> metrics;
  try {
    json j = w.context == "memory" ? measure_memory(w.keys, w.value_size)
                                   : measure_idle(w.seconds, ctx.scratch->fresh("idle"));
    auto m = row(w, "special", w.context == "memory" ? "mem" : "mem+lmdb+sqlite", w.context);
    m.extra = j;
    res.rows.push_back(m);
    for (const char* k : {"memory_ratio", "idle_cpu_percent"})
      if (j.contains(k)) metrics[k] = j[k].get<double>();
  } catch (const std::exception& e) {
    res.harness_error = e.what();
    return res;
  }
  evaluate(w, metrics, {}, res);
  return res;
}

} // namespace

workload_result run_workload(const workload& w, run_context& ctx) {
  auto res = w.context == "memory" || w.context == "idle" ? run_special(w, ctx) : run_ops(w, ctx);
  ctx.scratch->clear_work(); // the subject, floor and peers are gone: drop their files
  if (!res.harness_error.empty() && res.targets.empty())
    evaluate(w, {}, "the harness failed: " + res.harness_error, res);
  return res;
}

} // namespace ahvn::bench
