// ahvn_bench: runs the workloads of bench/workloads/ against this project's backends and calling
// contexts, the floors and the peers, and prints ratios and a table of the targets of issue 6.
// See bench/README.md.
//
//   ahvn_bench                      every workload, full size
//   ahvn_bench --only memo_hit      workloads whose name contains "memo_hit" (comma-separated)
//   ahvn_bench --tiny               each workload once at a tiny size (CI's bench_smoke)
//   ahvn_bench --json               one JSON object per measurement (and per target) on stdout
//
// Exit status: 0 when every measurement ran (targets may FAIL), 1 when the harness failed (an
// error, a wrong value), 2 on bad usage.

#include "bench/environment.hpp"
#include "bench/runner.hpp"
#include "bench/special.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace ahvn::bench;

struct options {
  bool json = false, tiny = false, list = false;
  std::vector<std::string> only;
  std::string workloads = AHVN_SOURCE_DIR "/bench/workloads";
  std::string dir = "/var/tmp"; // disk-backed on Debian (unlike a tmpfs /tmp): durable writes
  std::optional<std::string> pg_url;
  uint32_t reps = 0;
};

const char* const usage =
    "usage: ahvn_bench [--json] [--tiny] [--only NAME[,NAME...]] [--reps N] [--list]\n"
    "                  [--workloads DIR] [--dir SCRATCH_BASE] [--pg-url URL]\n"
    "  --json        one JSON object per measurement and per target on stdout (text to stderr)\n"
    "  --tiny        every workload once with a tiny size (CI)\n"
    "  --only        run the workloads whose name contains one of the NAMEs\n"
    "  --reps N      repetitions per workload (default: the workload's, usually 5)\n"
    "  --list        list the workloads and exit\n"
    "  --workloads   the directory of workload files (default: the source tree's bench/workloads)\n"
    "  --dir         where scratch directories go (default /var/tmp)\n"
    "  --pg-url      use this PostgreSQL server instead of starting one (also AHVN_BENCH_PG_URL)\n";

options parse(int argc, char** argv) {
  options o;
  if (const char* u = std::getenv("AHVN_BENCH_PG_URL"); u && *u) o.pg_url = u;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--json")
      o.json = true;
    else if (a == "--tiny")
      o.tiny = true;
    else if (a == "--list")
      o.list = true;
    else if (a == "--only") {
      std::string v = value();
      for (size_t p = 0; p <= v.size();) {
        auto c = v.find(',', p);
        if (c == std::string::npos) c = v.size();
        if (c > p) o.only.push_back(v.substr(p, c - p));
        p = c + 1;
      }
    } else if (a == "--reps")
      o.reps = static_cast<uint32_t>(std::stoul(value()));
    else if (a == "--workloads")
      o.workloads = value();
    else if (a == "--dir")
      o.dir = value();
    else if (a == "--pg-url")
      o.pg_url = value();
    else if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else
      throw std::invalid_argument("unknown option " + a);
  }
  return o;
}

/// Text goes to stdout, or to stderr when stdout carries JSON.
FILE* text_out(const options& o) {
  return o.json ? stderr : stdout;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

/// The median cost of one steady_clock read, in ns.
double clock_cost_ns() {
  std::vector<double> xs;
  for (int r = 0; r < 9; ++r) {
    auto t0 = steady::now();
    for (int i = 0; i < 10000; ++i)
      (void)steady::now();
    xs.push_back(std::chrono::duration<double, std::nano>(steady::now() - t0).count() / 10000);
  }
  return median(xs);
}

std::string bound_text(const target_result& t) {
  char buf[64];
  std::string s;
  if (t.max) {
    std::snprintf(buf, sizeof buf, "<= %g", *t.max);
    s = buf;
  }
  if (t.min) {
    std::snprintf(buf, sizeof buf, ">= %g", *t.min);
    s += (s.empty() ? "" : ", ") + std::string(buf);
  }
  return s;
}

void print_targets(const options& o, const std::vector<target_result>& ts) {
  FILE* out = text_out(o);
  std::fprintf(out,
               "\n## Targets%s\n\n| target | workload | metric | median | bound | result |\n"
               "|---|---|---|---|---|---|\n",
               o.tiny ? " (tiny run: the values mean nothing)" : "");
  for (const auto& t : ts) {
    char value[64];
    std::snprintf(value, sizeof value, "%.3g", t.value);
    std::fprintf(out, "| %s | %s | %s | %s | %s | %s |\n", t.text.c_str(), t.workload.c_str(),
                 t.metric.c_str(), t.measured ? value : "-", bound_text(t).c_str(),
                 !t.measured ? ("not measured: " + t.reason).c_str()
                 : t.pass    ? "PASS"
                             : "FAIL");
    if (o.json) {
      ahvn::json j = {{"kind", "target"},
                      {"target", t.text},
                      {"workload", t.workload},
                      {"metric", t.metric},
                      {"measured", t.measured}};
      if (t.measured) {
        j["value"] = t.value;
        j["pass"] = t.pass;
      } else {
        j["reason"] = t.reason;
      }
      if (t.max) j["max"] = *t.max;
      if (t.min) j["min"] = *t.min;
      std::printf("%s\n", j.dump().c_str());
    }
  }
}

void on_signal(int) {
  interrupted = true;
}

} // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--child") == 0)
    return run_child(std::vector<std::string>(argv + 2, argv + argc));
  options o;
  try {
    o = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ahvn_bench: %s\n%s", e.what(), usage);
    return 2;
  }
  std::vector<ahvn::bench::workload> ws;
  try {
    for (auto& w : load_workloads(o.workloads)) {
      bool picked = o.only.empty();
      for (const auto& n : o.only)
        picked = picked || w.name.find(n) != std::string::npos;
      if (!picked) continue;
      if (o.tiny) w = tiny(std::move(w));
      if (o.reps) w.repetitions = o.reps;
      ws.push_back(std::move(w));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ahvn_bench: %s\n", e.what());
    return 2;
  }
  if (o.list) {
    for (const auto& w : ws)
      std::printf("%-24s %-11s %-15s %s\n", w.name.c_str(), w.backend.c_str(), w.context.c_str(),
                  w.file.c_str());
    return 0;
  }
  if (ws.empty()) {
    std::fprintf(stderr, "ahvn_bench: no workload matches --only\n");
    return 2;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  FILE* out = text_out(o);
  std::string cmd;
  for (int i = 0; i < argc; ++i)
    cmd += (i ? " " : "") + std::string(argv[i]);
  std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::fprintf(out, "# ahvn_bench %s\n# %s; %u cores, %s; steady_clock read %.0f ns\n\n%s\n",
               o.tiny ? "(tiny)" : "", date, cores, cpu_model().c_str(), clock_cost_ns(),
               cmd.c_str());

  int status = 0;
  std::vector<target_result> targets;
  try {
    scratch_dir scratch(o.dir);
    postgres_server pg(AHVN_SOURCE_DIR "/tests/support/test_servers.sh", scratch.fresh_kept("pg"),
                       o.pg_url);
    run_context ctx;
    ctx.scratch = &scratch;
    ctx.pg = &pg;
    ctx.diskcache_script = AHVN_SOURCE_DIR "/bench/peers/diskcache_peer.py";
    ctx.cores = cores;
    std::fprintf(out, "\n%s\n", text_header().c_str());
    for (const auto& w : ws) {
      if (interrupted) break;
      std::fprintf(stderr, "... %s (%s, %s)\n", w.name.c_str(), w.backend.c_str(),
                   w.context.c_str());
      auto res = run_workload(w, ctx);
      for (const auto& m : res.rows) {
        std::fprintf(out, "%s\n", to_text(m).c_str());
        if (o.json) std::printf("%s\n", to_json(m).dump().c_str());
      }
      if (!res.harness_error.empty()) {
        std::fprintf(out, "%-22s %-11s %-15s HARNESS ERROR: %s\n", w.name.c_str(),
                     w.backend.c_str(), w.context.c_str(), res.harness_error.c_str());
        if (o.json)
          std::printf("%s\n", ahvn::json({{"kind", "error"},
                                          {"name", w.name},
                                          {"backend", w.backend},
                                          {"context", w.context},
                                          {"error", res.harness_error}})
                                  .dump()
                                  .c_str());
        status = 1;
      }
      std::fflush(stdout);
      std::fflush(stderr);
      targets.insert(targets.end(), res.targets.begin(), res.targets.end());
    }
    ctx.redis.reset();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ahvn_bench: %s\n", e.what());
    status = 1;
  }
  print_targets(o, targets);
  if (interrupted) {
    std::fprintf(stderr, "ahvn_bench: interrupted\n");
    return 1;
  }
  return status;
}
