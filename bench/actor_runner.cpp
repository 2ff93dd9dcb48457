// The actor contexts (subjects.hpp): `callers` event-based actors on the cache's own actor
// system, each issuing its share of the operations with `window` requests in flight. A hit that
// memoize answers on the actor's thread completes inside request(...).then(...); the actor
// yields to the scheduler (a message to itself) every 64 operations so the actors interleave.
// Latency of an operation: from the request to its handler.

#include "bench/subjects.hpp"

#include <condition_variable>
#include <mutex>

#include <caf/all.hpp>

namespace ahvn::bench {

namespace {

using caf::tick_atom;

/// What all actors of one batch report into.
struct finish_line {
  std::mutex m;
  std::condition_variable cv;
  unsigned left = 0;
  batch total;
  steady::time_point last_done;
};

class actor_driver : public std::enable_shared_from_this<actor_driver> {
public:
  actor_driver(caf::event_based_actor* self, cache& c, const bench_fn& fn, const workload& w,
               uint64_t seed, unsigned caller, uint64_t quota, std::shared_ptr<finish_line> fin)
      : self_(self), cache_(c), fn_(fn), w_(w), ops_(w, seed, caller), quota_(quota),
        fin_(std::move(fin)) {
    lat_.reserve(quota);
  }

  /// Issues operations until the window is full, 64 were issued, or the quota is reached.
  void pump() {
    pumping_ = true;
    for (int n = 0; n < 64 && inflight_ < w_.window && issued_ < quota_; ++n) {
      ++issued_;
      ++inflight_;
      issue(ops_.next());
    }
    pumping_ = false;
    if (done_ == quota_)
      finish();
    else if (inflight_ < w_.window && issued_ < quota_)
      self_->send(self_, tick_atom::value); // yield, then continue
  }

private:
  void issue(op_spec op) {
    auto me = shared_from_this();
    misses_ += op.kind == op_spec::miss;
    auto t0 = steady::now();
    if (op.kind == op_spec::write) {
      auto e = std::make_shared<const cache_entry>(entry_of(op.i, w_.value_size));
      self_->request(cache_.actor(), caf::infinite, put_atom::value, keyed_entry{e->key(), e})
          .then([me, t0](ok_atom) { me->complete(t0); },
                [me, t0](caf::error& err) { me->fail(t0, "set failed: " + caf::to_string(err)); });
      return;
    }
    fn_.request(self_, op.i)
        .then(
            [me, t0, op](std::string v) {
              if (!is_value_of(v, op.i, me->w_.value_size))
                me->fail(t0, "wrong value for i=" + std::to_string(op.i));
              else
                me->complete(t0);
            },
            [me, t0](caf::error err) { me->fail(t0, "memoize failed: " + caf::to_string(err)); });
  }

  void complete(steady::time_point t0) {
    lat_.push_back(ns_between(t0, steady::now()));
    --inflight_;
    ++done_;
    if (!pumping_) {
      if (done_ == quota_)
        finish();
      else
        pump();
    }
  }

  void fail(steady::time_point t0, const std::string& what) {
    if (errors_++ == 0) first_error_ = what;
    complete(t0);
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    {
      std::lock_guard<std::mutex> g(fin_->m);
      auto& t = fin_->total;
      t.lat_ns.insert(t.lat_ns.end(), lat_.begin(), lat_.end());
      if (errors_ && t.errors == 0) t.first_error = first_error_;
      t.errors += errors_;
      t.misses += misses_;
      fin_->last_done = steady::now();
      --fin_->left;
    }
    fin_->cv.notify_all();
    self_->quit();
  }

  caf::event_based_actor* self_;
  cache& cache_;
  const bench_fn& fn_;
  const workload& w_;
  op_stream ops_;
  uint64_t quota_, issued_ = 0, done_ = 0;
  uint32_t inflight_ = 0;
  bool pumping_ = false, finished_ = false;
  std::vector<uint32_t> lat_;
  uint64_t errors_ = 0, misses_ = 0;
  std::string first_error_;
  std::shared_ptr<finish_line> fin_;
};

caf::behavior bench_actor(caf::event_based_actor* self, cache* c, const bench_fn* fn,
                          const workload* w, uint64_t seed, unsigned caller, uint64_t quota,
                          std::shared_ptr<finish_line> fin) {
  auto d = std::make_shared<actor_driver>(self, *c, *fn, *w, seed, caller, quota, fin);
  self->send(self, tick_atom::value);
  return {[d](tick_atom) { d->pump(); }};
}

} // namespace

batch run_actors(cache& c, const bench_fn& fn, const workload& w, uint64_t seed) {
  auto fin = std::make_shared<finish_line>();
  fin->left = w.callers;
  auto t0 = steady::now();
  for (unsigned a = 0; a < w.callers; ++a) {
    uint64_t quota = w.operations / w.callers + (a < w.operations % w.callers ? 1 : 0);
    if (quota == 0) {
      std::lock_guard<std::mutex> g(fin->m);
      --fin->left;
      continue;
    }
    c.system().spawn(bench_actor, &c, &fn, &w, seed, a, quota, fin);
  }
  std::unique_lock<std::mutex> lock(fin->m);
  if (!fin->cv.wait_for(lock, std::chrono::minutes(10), [&] { return fin->left == 0; }))
    throw std::runtime_error("the actors did not finish within 10 minutes");
  batch b = std::move(fin->total);
  b.ops = b.lat_ns.size();
  b.seconds = std::chrono::duration<double>(fin->last_done - t0).count();
  return b;
}

} // namespace ahvn::bench
