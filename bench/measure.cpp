#include "bench/measure.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

namespace ahvn::bench {

std::atomic<bool> interrupted{false};

namespace {

double percentile(std::vector<uint32_t>& xs, double p) {
  if (xs.empty()) return 0;
  auto idx = static_cast<size_t>(p * static_cast<double>(xs.size() - 1) + 0.5);
  std::nth_element(xs.begin(), xs.begin() + static_cast<ptrdiff_t>(idx), xs.end());
  return xs[idx] / 1000.0;
}

struct thread_result {
  std::vector<uint32_t> lat;
  double busy_s = 0;
  uint64_t hits = 0, misses = 0, errors = 0;
  std::string first_error;
};

void one_caller(op_runner& r, const workload& w, uint64_t seed, unsigned caller, uint64_t n,
                thread_result& res) {
  op_stream ops(w, seed, caller);
  std::string out;
  res.lat.reserve(n);
  const bool sparse = w.pause_max_us > 0;
  const bool computes = r.computes_misses();
  const bool raw = r.raw_values();
  auto fail = [&](const std::string& what) {
    if (res.errors++ == 0) res.first_error = what;
  };
  for (uint64_t j = 0; j < n && !interrupted.load(std::memory_order_relaxed); ++j) {
    if (sparse) {
      auto pause = std::chrono::microseconds(ops.pause_us());
      if (w.pause_spin) {
        for (auto until = steady::now() + pause; steady::now() < until;) {
        }
      } else {
        std::this_thread::sleep_for(pause);
      }
    }
    auto op = ops.next();
    out.clear();
    bool found;
    auto t0 = steady::now();
    try {
      found = r.run(op, out, caller);
    } catch (const std::exception& e) {
      fail(std::string("operation failed: ") + e.what());
      continue;
    }
    auto t1 = steady::now();
    res.lat.push_back(ns_between(t0, t1));
    res.misses += op.kind == op_spec::miss;
    if (op.kind == op_spec::write) continue;
    if (found) {
      ++res.hits;
      if (raw ? out.size() < w.value_size : !is_value_of(out, op.i, w.value_size))
        fail("wrong value for i=" + std::to_string(op.i) + " (" + std::to_string(out.size()) +
             " bytes)");
    } else if ((op.kind == op_spec::hit && r.keeps_entries()) || computes) {
      fail("no value for i=" + std::to_string(op.i) +
           (op.kind == op_spec::hit ? " (a key that was filled)" : ""));
    }
  }
  for (auto l : res.lat)
    res.busy_s += l * 1e-9;
}

} // namespace

summary summarize(batch& b) {
  summary s;
  s.ops_per_s = b.seconds > 0 ? static_cast<double>(b.ops) / b.seconds : 0;
  s.p50_us = percentile(b.lat_ns, 0.50);
  s.p99_us = percentile(b.lat_ns, 0.99);
  return s;
}

void check_computed(batch& b, int64_t computed) {
  if (computed > static_cast<int64_t>(b.misses) && b.errors++ == 0)
    b.first_error = std::to_string(computed) + " computations for " + std::to_string(b.misses) +
                    " misses: some hits computed";
}

double median(std::vector<double> xs) {
  if (xs.empty()) return 0;
  std::sort(xs.begin(), xs.end());
  auto n = xs.size();
  return n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

batch drive(op_runner& r, const workload& w, uint64_t seed, unsigned threads) {
  threads = std::max(1u, threads);
  std::vector<thread_result> res(threads);
  const int64_t computed_before = r.computed();
  batch b;
  if (threads == 1) {
    auto t0 = steady::now();
    one_caller(r, w, seed, 0, w.operations, res[0]);
    b.seconds = std::chrono::duration<double>(steady::now() - t0).count();
  } else {
    std::atomic<unsigned> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < threads; ++t) {
      uint64_t n = w.operations / threads + (t < w.operations % threads ? 1 : 0);
      ts.emplace_back([&, t, n] {
        ready.fetch_add(1);
        while (!go.load(std::memory_order_acquire))
          std::this_thread::yield();
        one_caller(r, w, seed, t, n, res[t]);
      });
    }
    while (ready.load() < threads)
      std::this_thread::yield();
    auto t0 = steady::now();
    go.store(true, std::memory_order_release);
    for (auto& t : ts)
      t.join();
    b.seconds = std::chrono::duration<double>(steady::now() - t0).count();
  }
  double busy = 0;
  for (auto& t : res) {
    b.lat_ns.insert(b.lat_ns.end(), t.lat.begin(), t.lat.end());
    b.hits += t.hits;
    if (t.errors && b.errors == 0) b.first_error = t.first_error;
    b.errors += t.errors;
    busy += t.busy_s;
  }
  b.ops = b.lat_ns.size();
  if (w.pause_max_us > 0) b.seconds = busy / threads;
  // A read of a filled key must not run the memoized function: more computations than misses
  // means some hits computed (writes never compute).
  for (auto& t : res)
    b.misses += t.misses;
  if (computed_before >= 0 && r.keeps_entries()) check_computed(b, r.computed() - computed_before);
  return b;
}

// -- printing ------------------------------------------------------------------------------------

json to_json(const measurement& m) {
  json j = json::object();
  j["kind"] = "measurement";
  j["name"] = m.name;
  j["backend"] = m.backend;
  j["context"] = m.context;
  j["role"] = m.role;
  j["measured"] = m.measured;
  if (!m.measured) {
    j["reason"] = m.reason;
    return j;
  }
  j["ops_per_s"] = m.ops_per_s;
  j["p50_us"] = m.p50_us;
  j["p99_us"] = m.p99_us;
  j["ratio"] = m.ratio;
  j["ratio_basis"] = m.basis;
  j["against"] = m.against;
  j["repetitions"] = m.repetitions;
  j["operations"] = m.operations;
  j["callers"] = m.callers;
  for (const auto& [k, v] : m.extra.items())
    j[k] = v;
  return j;
}

std::string text_header() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-22s %-11s %-15s %12s %9s %9s %8s  %s", "name", "backend",
                "context", "ops/s", "p50 us", "p99 us", "ratio", "against");
  return buf;
}

std::string to_text(const measurement& m) {
  char buf[512];
  std::string name = m.role == "subject" ? m.name : "  " + m.role;
  if (!m.measured) {
    std::snprintf(buf, sizeof buf, "%-22s %-11s %-15s not measured: %s", name.c_str(),
                  m.backend.c_str(), m.context.c_str(), m.reason.c_str());
    return buf;
  }
  if (m.role == "special") {
    std::snprintf(buf, sizeof buf, "%-22s %-11s %-15s %s", name.c_str(), m.backend.c_str(),
                  m.context.c_str(), m.extra.dump().c_str());
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%-22s %-11s %-15s %12.0f %9.2f %9.2f %7.2fx  %s (%s)",
                name.c_str(), m.backend.c_str(), m.context.c_str(), m.ops_per_s, m.p50_us, m.p99_us,
                m.ratio, m.against.c_str(), m.basis.c_str());
  return buf;
}

} // namespace ahvn::bench
