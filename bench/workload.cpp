#include "bench/workload.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace ahvn::bench {

namespace {

const std::set<std::string> backends = {"mem", "lmdb", "json", "sqlite", "postgresql", "none"};
const std::set<std::string> contexts = {
    "store",          "actor",       "memoize_sync", "memoize_sparse", "memoize_async",
    "memoize_actors", "set_writers", "set_actors",   "memory",         "idle"};
const std::set<std::string> peers = {"diskcache", "redis"};

[[noreturn]] void bad(const std::string& file, const std::string& what) {
  throw std::runtime_error("workload " + file + ": " + what);
}

std::vector<std::string> one_or_many(const json& j, const std::string& file, const char* field) {
  std::vector<std::string> out;
  if (j.is_string())
    out.push_back(j.get<std::string>());
  else if (j.is_array())
    for (const auto& x : j) {
      if (!x.is_string()) bad(file, std::string(field) + " must hold strings");
      out.push_back(x.get<std::string>());
    }
  else
    bad(file, std::string(field) + " must be a string or a list of strings");
  return out;
}

template <class T>
void read(const json& j, const char* field, T& into, const std::string& file) {
  if (!j.contains(field)) return;
  try {
    into = j.at(field).get<T>();
  } catch (const std::exception& e) {
    bad(file, std::string("field '") + field + "': " + e.what());
  }
}

target_spec read_target(const json& t, const std::string& file) {
  target_spec s;
  if (!t.is_object()) bad(file, "each target must be an object");
  read(t, "text", s.text, file);
  read(t, "metric", s.metric, file);
  if (t.contains("max")) s.max = t.at("max").get<double>();
  if (t.contains("min")) s.min = t.at("min").get<double>();
  static const std::set<std::string> metrics = {"ratio", "p50_us", "ops_per_s", "memory_ratio",
                                                "idle_cpu_percent"};
  bool peer_metric = s.metric.rfind("peer_speedup:", 0) == 0;
  if (!metrics.count(s.metric) && !peer_metric)
    bad(file, "unknown target metric '" + s.metric + "'");
  if (!s.max && !s.min) bad(file, "target '" + s.text + "' needs a min or a max");
  return s;
}

std::vector<workload> parse(const json& j, const std::string& file) {
  if (!j.is_object()) bad(file, "must hold a JSON object");
  static const std::set<std::string> known = {
      "name",          "backend",     "backends",         "context",     "contexts",
      "keys",          "value_size",  "hit_ratio",        "read_ratio",  "callers",
      "floor_callers", "operations",  "floor_operations", "floor_batch", "pause_us",
      "window",        "repetitions", "durable",          "seconds",     "peers",
      "targets",       "description", "floor_key",        "pause"};
  for (const auto& [k, v] : j.items())
    if (!known.count(k)) bad(file, "unknown field '" + k + "'");
  workload w;
  w.file = file;
  read(j, "name", w.name, file);
  if (w.name.empty()) bad(file, "needs a name");
  read(j, "keys", w.keys, file);
  read(j, "value_size", w.value_size, file);
  read(j, "hit_ratio", w.hit_ratio, file);
  read(j, "read_ratio", w.read_ratio, file);
  read(j, "callers", w.callers, file);
  read(j, "floor_callers", w.floor_callers, file);
  read(j, "operations", w.operations, file);
  read(j, "floor_operations", w.floor_operations, file);
  read(j, "floor_batch", w.floor_batch, file);
  read(j, "window", w.window, file);
  read(j, "repetitions", w.repetitions, file);
  read(j, "durable", w.durable, file);
  read(j, "seconds", w.seconds, file);
  if (j.contains("pause")) {
    auto p = j.at("pause").get<std::string>();
    if (p != "sleep" && p != "spin") bad(file, "pause must be \"sleep\" or \"spin\"");
    w.pause_spin = p == "spin";
  }
  if (j.contains("floor_key")) {
    auto fk = j.at("floor_key").get<std::string>();
    if (fk != "compute_key" && fk != "direct")
      bad(file, "floor_key must be \"compute_key\" or \"direct\"");
    w.direct_keys = fk == "direct";
  }
  if (j.contains("pause_us")) {
    auto p = j.at("pause_us");
    if (!p.is_array() || p.size() != 2) bad(file, "pause_us must be [min, max]");
    w.pause_min_us = p[0].get<uint32_t>();
    w.pause_max_us = p[1].get<uint32_t>();
    if (w.pause_max_us < w.pause_min_us) bad(file, "pause_us: max below min");
  }
  if (j.contains("peers")) w.peers = one_or_many(j.at("peers"), file, "peers");
  for (const auto& p : w.peers)
    if (!peers.count(p)) bad(file, "unknown peer '" + p + "'");
  if (j.contains("targets"))
    for (const auto& t : j.at("targets"))
      w.targets.push_back(read_target(t, file));
  if (w.hit_ratio < 0 || w.hit_ratio > 1 || w.read_ratio < 0 || w.read_ratio > 1)
    bad(file, "hit_ratio and read_ratio lie in [0, 1]");
  if (w.callers == 0 || w.callers > 64) bad(file, "callers must be 1..64");
  if (w.window == 0 || w.repetitions == 0 || w.operations == 0)
    bad(file, "window, repetitions and operations must be positive");
  if (w.floor_batch == 0) bad(file, "floor_batch must be positive");
  if (w.floor_batch > 1 && w.floor_callers != 1)
    bad(file, "floor_batch needs floor_callers 1 (LMDB has one writer)");
  if (w.operations / w.callers >= (uint64_t{1} << 22))
    bad(file, "at most 4M operations per caller");

  auto bs = one_or_many(j.contains("backends") ? j.at("backends") : j.value("backend", json("mem")),
                        file, "backend");
  auto cs = one_or_many(j.contains("contexts") ? j.at("contexts")
                                               : j.value("context", json("memoize_sync")),
                        file, "context");
  std::vector<workload> out;
  for (const auto& b : bs) {
    if (!backends.count(b)) bad(file, "unknown backend '" + b + "'");
    for (const auto& c : cs) {
      if (!contexts.count(c)) bad(file, "unknown context '" + c + "'");
      if (c == "store" && w.callers != 1)
        bad(file, "the store context runs one caller (a store has one owner)");
      workload x = w;
      x.backend = b;
      x.context = c;
      if (c == "set_writers" || c == "set_actors") x.read_ratio = 0;
      out.push_back(std::move(x));
    }
  }
  return out;
}

} // namespace

bool workload::throughput_basis() const {
  return callers > 1 || context == "memoize_actors" || context == "set_actors";
}

std::vector<workload> load_workloads(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw std::runtime_error("no workload files (*.json) in " + dir);
  std::vector<workload> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream text;
    text << in.rdbuf();
    json j;
    try {
      j = json::parse(text.str());
    } catch (const std::exception& e) {
      bad(f.string(), e.what());
    }
    for (auto& w : parse(j, f.filename().string()))
      out.push_back(std::move(w));
  }
  return out;
}

workload tiny(workload w) {
  w.keys = std::min<uint64_t>(w.keys, w.context == "memory" ? 2000 : 64);
  w.operations = w.context == "memory" ? 2000 : std::min<uint64_t>(w.operations, 8 * w.callers);
  w.operations = std::max<uint64_t>(w.operations, w.callers);
  w.floor_operations = std::min<uint64_t>(w.floor_operations, w.operations);
  w.repetitions = 1;
  w.seconds = std::min(w.seconds, 0.3);
  return w;
}

// -- op_stream -----------------------------------------------------------------------------------

op_stream::op_stream(const workload& w, uint64_t seed, unsigned caller)
    : state_(0x9E3779B97F4A7C15ull * (seed * 64 + caller + 1)),
      keys_(std::max<uint64_t>(w.keys, 1)),
      hit_threshold_(static_cast<uint64_t>(w.hit_ratio * 1e9)),
      read_threshold_(static_cast<uint64_t>(w.read_ratio * 1e9)), pause_min_(w.pause_min_us),
      pause_span_(w.pause_max_us - w.pause_min_us + 1),
      next_miss_(static_cast<int64_t>((uint64_t{1} << 40) + ((seed & 4095) << 28) +
                                      (uint64_t{caller & 63} << 22))) {}

uint64_t op_stream::rand() { // splitmix64
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

op_spec op_stream::next() {
  if (rand() % 1000000000 >= read_threshold_)
    return {op_spec::write, static_cast<int64_t>(rand() % keys_)};
  if (rand() % 1000000000 >= hit_threshold_) return {op_spec::miss, next_miss_++};
  return {op_spec::hit, static_cast<int64_t>(rand() % keys_)};
}

uint32_t op_stream::pause_us() {
  return pause_min_ + static_cast<uint32_t>(rand() % pause_span_);
}

std::string value_of(int64_t i, uint32_t value_size) {
  return std::string(value_size, static_cast<char>('a' + i % 26));
}

bool is_value_of(const std::string& out, int64_t i, uint32_t value_size) {
  return out.size() == value_size && (value_size == 0 || out[0] == 'a' + i % 26);
}

json inputs_of(int64_t i) {
  json j = json::object();
  j["i"] = i;
  return j;
}

key key_of_arg(int64_t i, bool direct) {
  if (!direct) return compute_key(func_name, inputs_of(i));
  thread_local std::string text;
  text.assign("{\"i\": ");
  text += std::to_string(i);
  text += '}';
  return key_of_canonical(text, func_name);
}

cache_entry entry_of(int64_t i, uint32_t value_size) {
  cache_entry e;
  e.func = func_name;
  e.inputs = inputs_of(i);
  e.output = value_of(i, value_size);
  return e;
}

} // namespace ahvn::bench
