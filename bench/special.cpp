#include "bench/special.hpp"

#include "ahvn/actors/caches/database_cache.hpp"
#include "ahvn/actors/caches/disk_cache.hpp"
#include "ahvn/actors/caches/in_mem_cache.hpp"
#include "bench/environment.hpp"
#include "bench/subjects.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace ahvn::bench {

namespace {

json last_json_line(const std::string& out) {
  std::istringstream in(out);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty() && line[0] == '{') last = line;
  if (last.empty()) throw std::runtime_error("the child printed no result: " + out);
  return json::parse(last);
}

int child_memory(uint64_t keys, uint32_t value_size) {
  const uint64_t before = resident_bytes();
  in_mem_cache cache;
  auto fn = cache.memoize({.name = func_name, .params = {"i"}},
                          [value_size](int64_t i) { return value_of(i, value_size); });
  workload w;
  w.name = "memory";
  w.backend = "mem";
  w.context = "memoize_actors";
  w.keys = 0;
  w.value_size = value_size;
  w.hit_ratio = 0; // every call misses: computes and stores a new entry
  w.callers = 16;
  w.window = 32;
  w.operations = keys;
  auto t0 = std::chrono::steady_clock::now();
  batch b = run_actors(cache, fn, w, 1);
  double fill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (b.errors) throw std::runtime_error("filling the cache failed: " + b.first_error);
  const uint64_t entries = cache.size();
  const uint64_t after = resident_bytes();
  uint64_t canonical_bytes = 0, seen = 0;
  for (const cache_entry& e : cache) {
    canonical_bytes += canonical(e.to_dict()).size();
    ++seen;
  }
  if (entries != keys || seen != keys)
    throw std::runtime_error("expected " + std::to_string(keys) + " entries, the cache holds " +
                             std::to_string(entries) + " (iterated " + std::to_string(seen) + ")");
  json out = {{"entries", entries},
              {"rss_before_bytes", before},
              {"rss_growth_bytes", after - before},
              {"canonical_bytes", canonical_bytes},
              {"memory_ratio", static_cast<double>(after - before) /
                                   static_cast<double>(std::max<uint64_t>(canonical_bytes, 1))},
              {"bytes_per_entry", static_cast<double>(after - before) / static_cast<double>(keys)},
              {"fill_seconds", fill_s}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

/// utime + stime clock ticks per thread of this process, by "tid name".
std::map<std::string, uint64_t> thread_ticks() {
  std::map<std::string, uint64_t> out;
  for (const auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(t.path() / "stat");
    std::string s;
    std::getline(in, s);
    auto open = s.find('('), close = s.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::string name = t.path().filename().string() + " " + s.substr(open + 1, close - open - 1);
    std::istringstream rest(s.substr(close + 2));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    out[name] = utime + stime;
  }
  return out;
}

int child_idle(double seconds, const std::string& dir) {
  std::filesystem::create_directories(dir);
  in_mem_cache mem;
  disk_cache disk(dir + "/lmdb");
  database_cache sqlite(sql_options{.provider = "sqlite", .database = dir + "/cache.sqlite"});
  for (cache* c : std::initializer_list<cache*>{&mem, &disk, &sqlite}) {
    auto fn = c->memoize({.name = func_name, .params = {"i"}},
                         [](int64_t i) { return value_of(i, 100); });
    for (int round = 0; round < 2; ++round) // misses, then hits
      for (int64_t i = 0; i < 50; ++i)
        if (!is_value_of(fn(i), i, 100))
          throw std::runtime_error("a memoized call returned a wrong value");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500)); // let the first writes settle
  auto ticks0 = thread_ticks();
  const double cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double cpu1 = cpu_seconds();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto ticks1 = thread_ticks();
  json busiest = json::object();
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (const auto& [name, t] : ticks1) {
    uint64_t d = t - (ticks0.count(name) ? ticks0[name] : 0);
    if (d > 0) busiest[name] = d / hz;
  }
  json out = {{"idle_cpu_percent", 100.0 * (cpu1 - cpu0) / wall},
              {"cpu_seconds", cpu1 - cpu0},
              {"seconds", wall},
              {"threads", ticks1.size()},
              {"busy_threads_cpu_s", busiest},
              {"caches", {"mem:", "lmdb:", "sqlite:"}}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

} // namespace

int run_child(const std::vector<std::string>& args) {
  try {
    if (args.size() == 3 && args[0] == "memory")
      return child_memory(std::stoull(args[1]), static_cast<uint32_t>(std::stoul(args[2])));
    if (args.size() == 3 && args[0] == "idle") return child_idle(std::stod(args[1]), args[2]);
    std::fprintf(stderr, "ahvn_bench --child: memory KEYS VALUE_SIZE | idle SECONDS DIR\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ahvn_bench --child %s: %s\n", args.empty() ? "" : args[0].c_str(),
                 e.what());
    return 1;
  }
}

json measure_memory(uint64_t keys, uint32_t value_size) {
  return last_json_line(run_command(
      {self_path(), "--child", "memory", std::to_string(keys), std::to_string(value_size)}, 1800));
}

json measure_idle(double seconds, const std::string& dir) {
  return last_json_line(
      run_command({self_path(), "--child", "idle", std::to_string(seconds), dir}, seconds + 300));
}

} // namespace ahvn::bench
