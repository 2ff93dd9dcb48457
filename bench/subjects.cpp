#include "bench/subjects.hpp"

#include "ahvn/actors/caches/open_cache.hpp"
#include "ahvn/backends/memory_store.hpp"
#include "ahvn/backends/registry.hpp"

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace ahvn::bench {

namespace {

constexpr size_t fill_chunk = 1000;

template <class Put>
void fill(uint64_t keys, uint32_t value_size, Put put_many) {
  std::vector<keyed_entry> chunk;
  for (uint64_t i = 0; i < keys; ++i) {
    auto e = std::make_shared<const cache_entry>(entry_of(static_cast<int64_t>(i), value_size));
    chunk.push_back({e->key(), e});
    if (chunk.size() == fill_chunk || i + 1 == keys) {
      put_many(chunk);
      chunk.clear();
    }
  }
}

// -- store ---------------------------------------------------------------------------------------

// The store of the workload's backend, opened through the registry like every cache.
std::unique_ptr<store> open_workload_store(const workload& w, const std::string& dir,
                                           const std::optional<std::string>& pg_url) {
  auto s = open_store(cache_url(w, dir, pg_url));
  if (w.backend == "postgresql") s->clear();
  return s;
}

class store_subject final : public subject, private op_runner {
public:
  store_subject(const workload& w, const std::string& dir, const std::optional<std::string>& pg_url)
      : store_(open_workload_store(w, dir, pg_url)), value_size_(w.value_size),
        keeps_(w.backend != "none") {
    memory_ = dynamic_cast<memory_store*>(store_.get());
    fill(w.keys, w.value_size, [&](std::vector<keyed_entry>& es) { store_->put_many(es); });
    if (memory_) memory_->collect();
  }

  batch run(const workload& w, uint64_t seed) override { return drive(*this, w, seed, 1); }

private:
  bool keeps_entries() const override { return keeps_; }

  bool run(const op_spec& op, std::string& out, unsigned) override {
    json inputs = inputs_of(op.i);
    key k = compute_key(func_name, inputs);
    if (op.kind == op_spec::write) {
      store_->put(k, std::make_shared<const cache_entry>(entry_of(op.i, value_size_)));
      if (memory_) memory_->collect();
      return false;
    }
    entry_ptr e = store_->get(k);
    if (!e || !e->value()) return false;
    out = e->value()->get_ref<const std::string&>();
    return true;
  }

  std::unique_ptr<store> store_;
  memory_store* memory_ = nullptr;
  uint32_t value_size_;
  bool keeps_;
};

// -- caches --------------------------------------------------------------------------------------

class cache_subject final : public subject, private op_runner {
public:
  cache_subject(const workload& w, const std::string& dir, const std::optional<std::string>& pg_url)
      : cache_(open_cache(cache_url(w, dir, pg_url))), context_(w.context),
        value_size_(w.value_size), keeps_(w.backend != "none") {
    if (w.backend == "postgresql") cache_.clear();
    auto calls = calls_;
    uint32_t size = w.value_size;
    fn_ = cache_.memoize({.name = func_name, .params = {"i"}}, [calls, size](int64_t i) {
      calls->fetch_add(1, std::memory_order_relaxed);
      return value_of(i, size);
    });
    fill(w.keys, w.value_size,
         [&](std::vector<keyed_entry>& es) { cache_.client()->put_many(es); });
  }

  cache* handle() override { return &cache_; }

  batch run(const workload& w, uint64_t seed) override {
    if (context_ == "memoize_actors" || context_ == "set_actors") {
      auto before = static_cast<int64_t>(calls_->load());
      batch b = run_actors(cache_, fn_, w, seed);
      if (keeps_) check_computed(b, static_cast<int64_t>(calls_->load()) - before);
      return b;
    }
    return drive(*this, w, seed, w.callers);
  }

private:
  bool keeps_entries() const override { return keeps_; }
  bool computes_misses() const override { return context_.rfind("memoize", 0) == 0; }
  int64_t computed() const override {
    return computes_misses() ? static_cast<int64_t>(calls_->load()) : -1;
  }

  bool run(const op_spec& op, std::string& out, unsigned) override {
    if (op.kind == op_spec::write) {
      cache_.set(func_name, inputs_of(op.i), value_of(op.i, value_size_));
      return false;
    }
    if (context_ == "memoize_sync" || context_ == "memoize_sparse") {
      out = fn_(op.i);
      return true;
    }
    if (context_ == "memoize_async") {
      out = fn_.async(op.i).get();
      return true;
    }
    auto v = cache_.get(func_name, inputs_of(op.i)); // actor, set_writers (reads never happen)
    if (!v) return false;
    out = v->get_ref<const std::string&>();
    return true;
  }

  cache cache_;
  std::string context_;
  uint32_t value_size_;
  bool keeps_;
  std::shared_ptr<std::atomic<uint64_t>> calls_ = std::make_shared<std::atomic<uint64_t>>(0);
  bench_fn fn_;
};

} // namespace

std::string cache_url(const workload& w, const std::string& dir,
                      const std::optional<std::string>& pg_url) {
  const auto& b = w.backend;
  std::string durable = w.durable ? "true" : "false";
  if (b == "mem") return "mem:";
  if (b == "none") return "none:";
  if (b == "lmdb") return "lmdb:" + dir + "?durable=" + durable;
  if (b == "json") return "json:" + dir + "?durable=" + durable;
  if (b == "sqlite") return "sqlite:" + dir + ".sqlite";
  if (b == "postgresql") {
    if (!pg_url) throw std::runtime_error("no PostgreSQL server");
    return *pg_url;
  }
  throw std::runtime_error("unknown backend " + b);
}

std::unique_ptr<subject> make_subject(const workload& w, const std::string& dir,
                                      const std::optional<std::string>& pg_url) {
  if (w.context == "store") return std::make_unique<store_subject>(w, dir, pg_url);
  return std::make_unique<cache_subject>(w, dir, pg_url);
}

} // namespace ahvn::bench
