// The floor factory and the in-thread floor (canonical JSON + MD5 + hash map).

#include "bench/floors.hpp"

#include "ahvn/messages/key.hpp"

#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace ahvn::bench {

namespace {

class memory_floor final : public op_runner {
public:
  explicit memory_floor(const workload& w)
      : value_size_(w.value_size), locked_(w.read_ratio < 1), direct_(w.direct_keys) {
    map_.reserve(w.keys);
    for (uint64_t i = 0; i < w.keys; ++i)
      map_.emplace(key_of_arg(static_cast<int64_t>(i), false),
                   value_of(static_cast<int64_t>(i), value_size_));
  }

  bool run(const op_spec& op, std::string& out, unsigned) override {
    key k = key_of_arg(op.i, direct_);
    if (op.kind == op_spec::write) {
      std::lock_guard<std::mutex> g(mutex_);
      map_[k] = value_of(op.i, value_size_);
      return false;
    }
    if (locked_) { // writers present: readers take the lock too
      std::lock_guard<std::mutex> g(mutex_);
      return find(k, out);
    }
    return find(k, out);
  }

private:
  bool find(const key& k, std::string& out) const {
    auto it = map_.find(k);
    if (it == map_.end()) return false;
    out = it->second;
    return true;
  }

  uint32_t value_size_;
  bool locked_, direct_;
  std::mutex mutex_;
  std::unordered_map<key, std::string> map_;
};

/// For memoize workloads: a read that misses computes the value and stores it (a write), as
/// memoize does. (The key is computed twice then: the floor is a little slower on misses.)
class computing_floor final : public op_runner {
public:
  computing_floor(std::unique_ptr<op_runner> inner, uint32_t value_size)
      : inner_(std::move(inner)), value_size_(value_size) {}

  bool raw_values() const override { return inner_->raw_values(); }
  bool computes_misses() const override { return true; }

  bool run(const op_spec& op, std::string& out, unsigned caller) override {
    if (inner_->run(op, out, caller) || op.kind == op_spec::write) return op.kind != op_spec::write;
    inner_->run({op_spec::write, op.i}, out, caller);
    out = value_of(op.i, value_size_);
    return true;
  }

private:
  std::unique_ptr<op_runner> inner_;
  uint32_t value_size_;
};

floor_runner plain_floor(const workload& w, const std::string& dir,
                         const std::optional<std::string>& pg_url) {
  const auto& b = w.backend;
  if (b == "mem" || b == "none") return {std::make_unique<memory_floor>(w), "in-thread floor"};
  if (b == "lmdb") return {make_lmdb_floor(w, dir), "raw LMDB"};
  if (b == "sqlite") return {make_sqlite_floor(w, dir + ".sqlite"), "raw SQLite"};
  if (b == "json") return {make_file_floor(w, dir), "raw file read"};
  if (b == "postgresql") {
    if (!pg_url) throw std::runtime_error("no PostgreSQL server");
    return {make_pg_floor(w, *pg_url), "raw libpq"};
  }
  throw std::runtime_error("no floor for backend " + b);
}

} // namespace

bool floor_is_concurrent(const std::string& backend) {
  return backend == "mem" || backend == "none" || backend == "lmdb";
}

floor_runner make_floor(const workload& w, const std::string& dir,
                        const std::optional<std::string>& pg_url) {
  auto f = plain_floor(w, dir, pg_url);
  if (w.floor_batch > 1) f.label += ", " + std::to_string(w.floor_batch) + " puts/commit";
  if (w.context.rfind("memoize", 0) == 0 && w.hit_ratio < 1) {
    f.runner = std::make_unique<computing_floor>(std::move(f.runner), w.value_size);
    f.label += "+store";
  }
  return f;
}

} // namespace ahvn::bench
