#include "ahvn/actors/cache_core.hpp"

#include "ahvn/actors/system.hpp"
#include "ahvn/messages/log.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

namespace ahvn::detail {

cache_core::cache_core(std::unique_ptr<system_handle> sys, cache_actor backend,
                       std::shared_ptr<concurrent_reader> reader, cache_options opts)
    : sys_(std::move(sys)), actor_(std::move(backend)), reader_(std::move(reader)),
      opts_(std::move(opts)), time_(opts_.time_source ? opts_.time_source : clock::system()) {
  // nop
}

cache_core::~cache_core() {
  if (actor_) caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  actor_ = nullptr;
  reader_.reset();
  sys_.reset(); // an owned system waits here for its actors
}

caf::actor_system& cache_core::system() const {
  return sys_->get();
}

template <class R, class... Ts>
R cache_core::request(std::chrono::milliseconds timeout, Ts&&... xs) {
  caf::scoped_actor self{sys_->get()};
  std::optional<R> result;
  caf::error err;
  self->request(actor_, caf::duration{timeout}, std::forward<Ts>(xs)...)
      .receive([&](R& r) { result = std::move(r); }, [&](caf::error& e) { err = std::move(e); });
  if (err) {
    if (auto failure = failure_of(err); failure && failure->error)
      std::rethrow_exception(failure->error); // the very exception the computing caller saw
    throw to_cache_error(err);
  }
  return std::move(*result);
}

lookup cache_core::get(const key& k) {
  return request<lookup>(opts_.request_timeout, get_atom::value, k);
}

lookup cache_core::lookup_call(const key& k, std::string_view func, const json& inputs) {
  fetch_request req;
  req.k = k;
  req.func = std::string(func);
  req.inputs = inputs;
  req.coalesce = false;
  auto res = request<fetch_result>(opts_.request_timeout, fetch_atom::value, std::move(req));
  return {std::move(res.entry)};
}

std::vector<lookup> cache_core::get_many(const std::vector<key>& ks) {
  return request<std::vector<lookup>>(opts_.request_timeout, get_atom::value, ks);
}

void cache_core::put(keyed_entry e) {
  request<ok_atom>(opts_.request_timeout, put_atom::value, std::move(e));
}

void cache_core::put_many(std::vector<keyed_entry> es) {
  request<ok_atom>(opts_.request_timeout, put_atom::value, std::move(es));
}

bool cache_core::remove(const key& k) {
  return request<bool>(opts_.request_timeout, delete_atom::value, k);
}

uint64_t cache_core::clear() {
  return request<uint64_t>(opts_.request_timeout, clear_atom::value);
}

uint64_t cache_core::size() {
  return request<uint64_t>(opts_.request_timeout, size_atom::value);
}

bool cache_core::has(const key& k) {
  return request<bool>(opts_.request_timeout, has_atom::value, k);
}

scan_page cache_core::scan(const scan_request& req) {
  return request<scan_page>(opts_.request_timeout, scan_atom::value, req);
}

cache_stats cache_core::stats() {
  auto s = request<cache_stats>(opts_.request_timeout, stats_atom::value);
  s.hits += reader_hits_.load(std::memory_order_relaxed);
  s.errors += errors_.load(std::memory_order_relaxed);
  s.misses += bypass_misses_.load(std::memory_order_relaxed);
  s.sets += bypass_sets_.load(std::memory_order_relaxed);
  return s;
}

void cache_core::flush() {
  request<ok_atom>(opts_.request_timeout, flush_atom::value);
}

namespace {

// Errors the actor answered with were counted by the actor; those of the way there were not.
bool counted_by_actor(const cache_error& e) {
  return e.code() != errc::timeout && e.code() != errc::unreachable;
}

} // namespace

cache_core::fast_read cache_core::read_fast(const key& k, const value_visitor& visit) noexcept {
  if (!reader_) return fast_read::miss;
  bool visit_failed = false;
  auto guarded = [&](const json& v) {
    try {
      visit(v);
    } catch (...) {
      visit_failed = true;
      throw;
    }
  };
  try {
    if (!reader_->read_value(k, time_->now(), guarded)) return fast_read::miss;
    reader_hits_.fetch_add(1, std::memory_order_relaxed);
    return fast_read::hit;
  } catch (const std::exception& e) {
    if (visit_failed) {
      count_error("get " + k.to_string() +
                  ": the stored value is unusable, computing instead: " + e.what());
      return fast_read::unusable;
    }
    // The store failed on this thread: its actor (which reconnects, reports) may still answer.
    count_error("get " + k.to_string() + " failed on the caller's thread: " + e.what());
  }
  return fast_read::miss;
}

uint64_t cache_core::fetch(const key& k, std::string_view func, const json& inputs,
                           const value_visitor& visit, bool coalesce) {
  if (bypass_) {
    bypass_misses_.fetch_add(1, std::memory_order_relaxed);
    return no_lease;
  }
  fetch_request req;
  req.k = k;
  req.func = std::string(func);
  req.inputs = inputs;
  req.coalesce = coalesce;
  req.lease_ms = static_cast<uint32_t>(opts_.lease.count());
  fetch_result res;
  try {
    // A waiter may wait for another caller's whole computation.
    res = request<fetch_result>(opts_.lease + opts_.request_timeout, fetch_atom::value,
                                std::move(req));
  } catch (const cache_error& e) {
    if (e.code() == errc::computation_failed)
      throw; // another caller's function failed and it was not in this process
    std::string what = "get " + k.to_string() + " failed, computing instead: " + e.what();
    if (counted_by_actor(e))
      log::warning("ahvn cache: " + what);
    else
      count_error(what);
    return no_lease;
  }
  if (res.lease != 0) return res.lease;
  if (res.entry && res.entry->value()) {
    try {
      visit(*res.entry->value());
      return 0;
    } catch (const std::exception& e) {
      count_error("get " + k.to_string() +
                  ": the stored value is unusable, computing instead: " + e.what());
    }
  }
  return no_lease;
}

void cache_core::complete(keyed_entry e, uint64_t lease) noexcept {
  if (bypass_) {
    bypass_sets_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::string what;
  try {
    auto k = e.k;
    try {
      if (lease == 0 || lease == no_lease)
        put(std::move(e));
      else
        request<ok_atom>(opts_.request_timeout, put_atom::value, std::move(e), lease);
      return;
    } catch (const cache_error& ex) {
      what = "set " + k.to_string() + " failed, the result is not cached: " + ex.what();
      if (counted_by_actor(ex)) {
        log::warning("ahvn cache: " + what);
        return;
      }
    } catch (const std::exception& ex) {
      what = "set " + k.to_string() + " failed, the result is not cached: " + ex.what();
    }
  } catch (...) {
    what = "set failed: out of memory";
  }
  count_error(what);
}

void cache_core::read_many(const std::vector<key>& ks,
                           const std::function<void(size_t, const json&)>& visit) noexcept {
  std::vector<lookup> found;
  try {
    found = get_many(ks);
  } catch (const std::exception& e) {
    count_error(std::string("get_many of ") + std::to_string(ks.size()) +
                " keys failed, computing instead: " + e.what());
    return;
  }
  for (size_t i = 0; i < found.size() && i < ks.size(); ++i) {
    if (!found[i] || !found[i].entry->value()) continue;
    try {
      visit(i, *found[i].entry->value());
    } catch (const std::exception& e) {
      count_error("get " + ks[i].to_string() +
                  ": the stored value is unusable, computing instead: " + e.what());
    }
  }
}

void cache_core::write_many(std::vector<keyed_entry> es) noexcept {
  try {
    auto n = es.size();
    try {
      put_many(std::move(es));
    } catch (const cache_error& ex) {
      std::string what = "set_many of " + std::to_string(n) +
                         " entries failed, the results are not cached: " + ex.what();
      if (counted_by_actor(ex))
        log::warning("ahvn cache: " + what);
      else
        count_error(what);
    }
  } catch (const std::exception& ex) {
    count_error(std::string("set_many failed: ") + ex.what());
  }
}

void cache_core::complete_async(keyed_entry e, uint64_t lease) noexcept {
  if (bypass_) {
    bypass_sets_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  try {
    if (lease == 0 || lease == no_lease)
      caf::anon_send(actor_, put_atom::value, std::move(e));
    else
      caf::anon_send(actor_, put_atom::value, std::move(e), lease);
  } catch (const std::exception& ex) {
    count_error(std::string("set failed, the result is not cached: ") + ex.what());
  }
}

void cache_core::abandon(const key& k, uint64_t lease, std::exception_ptr error) noexcept {
  if (lease == no_lease || lease == 0) return;
  try {
    caf::anon_send(actor_, abandon_atom::value, k, lease,
                   computation_failure{message_of(error), std::move(error)});
  } catch (...) {
    count_error("abandon " + k.to_string() + ": could not tell the waiters");
  }
}

void cache_core::count_error(std::string_view what) noexcept {
  errors_.fetch_add(1, std::memory_order_relaxed);
  log::error(std::string("ahvn cache: ") + std::string(what));
}

} // namespace ahvn::detail
