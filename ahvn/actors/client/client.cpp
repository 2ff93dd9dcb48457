#include "ahvn/actors/client/client.hpp"

#include "ahvn/actors/client/blocking_request.hpp"
#include "ahvn/messages/log.hpp"
#include "ahvn/messages/ttl.hpp"

#include <optional>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>

namespace ahvn::detail {

client_traits traits_for(const store_traits& traits, bool has_reader) {
  client_traits out;
  out.fetch_on_miss = !has_reader && !traits.stores_nothing;
  out.coalesce = !traits.stores_nothing;
  out.writes = !traits.stores_nothing;
  out.keeps = !traits.stores_nothing;
  out.wait_for_writes = traits.durable;
  return out;
}

client::client(system_handle sys, cache_actor actor, std::shared_ptr<concurrent_reader> reader,
               client_traits traits, cache_options opts, std::string name,
               std::shared_ptr<agent_shared> shared, flight_agent agent)
    : sys_(std::move(sys)), actor_(std::move(actor)), reader_(std::move(reader)), traits_(traits),
      opts_(std::move(opts)), name_(std::move(name)),
      time_(opts_.time_source ? opts_.time_source : clock::system()), shared_(std::move(shared)),
      agent_(std::move(agent)) {
  if (!shared_) {
    shared_ = std::make_shared<agent_shared>();
    shared_->flights = std::make_shared<local_flights>();
    shared_->request_timeout = opts_.request_timeout;
    shared_->name = name_;
    agent_ = spawn_flight_agent(sys_.get(), shared_);
    owns_agent_ = true;
  }
}

client::~client() {
  if (owns_agent_ && agent_) caf::anon_send_exit(agent_, caf::exit_reason::user_shutdown);
  if (actor_) caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
}

template <class R, class... Ts>
R client::request(std::chrono::milliseconds timeout, Ts&&... xs) {
  auto [result, err] = blocking_request<R>(sys_.get(), actor_, timeout, std::forward<Ts>(xs)...);
  if (err) {
    if (auto failure = failure_of(err); failure && failure->error)
      std::rethrow_exception(failure->error); // the very exception the computing caller saw
    throw to_cache_error(err);
  }
  return std::move(*result);
}

void client::count_error(std::string_view what) noexcept {
  errors_.fetch_add(1, std::memory_order_relaxed);
  try {
    log::warning("ahvn cache " + name_ + ": " + std::string(what));
  } catch (...) {
    // nothing more to do: the count is kept
  }
}

namespace {

// Errors the actor answered with were counted by the actor; those of the way there were not.
bool counted_by_actor(const cache_error& e) {
  return e.code() != errc::timeout && e.code() != errc::unreachable;
}

} // namespace

// -- the miss path's steps ------------------------------------------------------------------------

client::read_result client::read_here(const key& k, const value_visitor& visit) noexcept {
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
    // A value that replaces an unusable one first; then the store; then what this process
    // computed and has not seen acknowledged yet.
    auto now = time_->now();
    auto& flights = *shared_->flights;
    entry_ptr e = flights.pending(k, now, /*replacing_only=*/true);
    if (!e) {
      if (reader_ && reader_->read_value(k, now, guarded)) {
        count_hit();
        return read_result::hit;
      }
      e = flights.pending(k, now);
    }
    if (!e || !e->value()) return read_result::miss;
    guarded(*e->value());
    count_hit();
    return read_result::hit;
  } catch (const std::exception& e) {
    if (visit_failed) {
      count_error("get " + k.to_string() +
                  ": the stored value is unusable, computing instead: " + e.what());
      return read_result::unusable;
    }
    // The store failed on this thread: its actor (which reconnects, reports) may still answer.
    count_error("get " + k.to_string() + " failed on the caller's thread: " + e.what());
  }
  return read_result::miss;
}

fetch_request client::fetch_request_for(const key& k, std::string_view func, const json& inputs,
                                        bool coalesce) const {
  fetch_request req;
  req.k = k;
  req.func = std::string(func);
  req.inputs = inputs;
  req.coalesce = coalesce;
  req.lease_ms = static_cast<uint32_t>(opts_.lease.count());
  req.holder.actor = caf::actor_cast<caf::actor>(agent_);
  return req;
}

client::fetched client::fetch(const key& k, std::string_view func, const json& inputs,
                              bool coalesce) noexcept {
  fetched out;
  try {
    try {
      // A waiter may wait for another caller's whole computation.
      auto res = request<fetch_result>(opts_.lease + opts_.request_timeout, fetch_atom::value,
                                       fetch_request_for(k, func, inputs, coalesce));
      out.entry = std::move(res.entry);
      out.lease = res.lease;
    } catch (const cache_error& e) {
      if (e.code() == errc::computation_failed) {
        out.failed = std::current_exception(); // another process's function failed
        return out;
      }
      std::string what = "get " + k.to_string() + " failed, computing instead: " + e.what();
      if (counted_by_actor(e))
        log::warning("ahvn cache " + name_ + ": " + what);
      else
        count_error(what);
    }
  } catch (...) {
    out.failed = std::current_exception(); // the very exception of a caller in this process
  }
  return out;
}

void client::write(keyed_entry e, uint64_t lease, const local_flights::flight_ptr& f,
                   bool wait) noexcept {
  std::string what;
  try {
    auto k = e.k;
    if (!wait) {
      shared_->outstanding.fetch_add(1, std::memory_order_acq_rel);
      caf::anon_send(agent_, write_atom::value, actor_, std::move(e), lease, flight_ref{f});
      return;
    }
    try {
      if (lease != 0)
        request<ok_atom>(opts_.request_timeout, complete_atom::value, std::move(e), lease);
      else
        request<ok_atom>(opts_.request_timeout, put_atom::value, std::move(e));
      if (f) shared_->flights->forget(f);
      return;
    } catch (const cache_error& ex) {
      if (f) shared_->flights->forget(f);
      if (ex.code() == errc::lease_lost) {
        log::info("ahvn cache " + name_ + ": the result for key " + k.to_string() +
                  " was not stored: " + ex.message());
        return;
      }
      what = "set " + k.to_string() + " failed, the result is not cached: " + ex.what();
      if (counted_by_actor(ex)) {
        log::warning("ahvn cache " + name_ + ": " + what);
        return;
      }
    }
  } catch (const std::exception& ex) {
    if (f) shared_->flights->forget(f);
    what = std::string("set failed, the result is not cached: ") + ex.what();
  }
  count_error(what);
}

void client::abandon(const key& k, uint64_t lease, std::exception_ptr error) noexcept {
  if (lease == 0) return;
  try {
    computation_failure failure{message_of(error), error, error == nullptr};
    caf::anon_send(actor_, abandon_atom::value, k, lease, std::move(failure));
  } catch (...) {
    // The lease runs out by itself.
  }
}

void client::read_many(const std::vector<key>& ks,
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

void client::write_many(std::vector<keyed_entry> es) noexcept {
  try {
    auto n = es.size();
    try {
      put_many(std::move(es));
    } catch (const cache_error& ex) {
      std::string what = "set_many of " + std::to_string(n) +
                         " entries failed, the results are not cached: " + ex.what();
      if (counted_by_actor(ex))
        log::warning("ahvn cache " + name_ + ": " + what);
      else
        count_error(what);
    }
  } catch (const std::exception& ex) {
    count_error(std::string("set_many failed: ") + ex.what());
  }
}

// -- manual operations ------------------------------------------------------------------------

void client::barrier() {
  if (shared_->outstanding.load(std::memory_order_acquire) == 0) return;
  auto [ok, err] =
      blocking_request<ok_atom>(sys_.get(), agent_, opts_.request_timeout, barrier_atom::value);
  if (err) throw to_cache_error(err);
}

entry_ptr client::find(const key& k, std::string_view func, const json& inputs) {
  barrier(); // what the store shows then includes the effects of this process's writes
  auto now = time_->now();
  if (auto e = shared_->flights->pending(k, now, /*replacing_only=*/true)) return e;
  if (reader_) {
    try {
      if (auto e = reader_->read_entry(k, now)) {
        count_hit();
        return e;
      }
    } catch (const std::exception& e) {
      count_error("get " + k.to_string() + " failed on the caller's thread: " + e.what());
    }
  }
  if (auto e = shared_->flights->pending(k, now)) return e;
  if (func.empty()) return request<lookup>(opts_.request_timeout, get_atom::value, k).entry;
  // Through fetch, so that feeds may answer; it joins no computation and starts none.
  auto res = request<fetch_result>(opts_.request_timeout, fetch_atom::value,
                                   fetch_request_for(k, func, inputs, false));
  return std::move(res.entry);
}

bool client::has(const key& k) {
  barrier();
  if (shared_->flights->pending(k, time_->now())) return true;
  if (reader_) {
    try {
      if (reader_->contains(k, time_->now())) return true;
    } catch (const std::exception& e) {
      count_error("has " + k.to_string() + " failed on the caller's thread: " + e.what());
    }
  }
  return request<bool>(opts_.request_timeout, has_atom::value, k);
}

std::vector<lookup> client::get_many(const std::vector<key>& ks) {
  barrier();
  return request<std::vector<lookup>>(opts_.request_timeout, get_atom::value, ks);
}

void client::put(keyed_entry e) {
  barrier();
  shared_->flights->drop(e.k);
  request<ok_atom>(opts_.request_timeout, put_atom::value, std::move(e));
}

void client::put_many(std::vector<keyed_entry> es) {
  barrier();
  for (const auto& e : es)
    shared_->flights->drop(e.k);
  request<ok_atom>(opts_.request_timeout, put_atom::value, std::move(es));
}

bool client::remove(const key& k) {
  barrier();
  shared_->flights->drop(k);
  return request<bool>(opts_.request_timeout, delete_atom::value, k);
}

uint64_t client::clear() {
  barrier();
  shared_->flights->drop_all();
  return request<uint64_t>(opts_.request_timeout, clear_atom::value);
}

uint64_t client::size() {
  barrier();
  return request<uint64_t>(opts_.request_timeout, size_atom::value);
}

scan_page client::scan(const scan_request& req) {
  barrier();
  return request<scan_page>(opts_.request_timeout, scan_atom::value, req);
}

cache_stats client::stats() {
  barrier();
  auto s = request<cache_stats>(opts_.request_timeout, stats_atom::value);
  s.hits += hits_.load(std::memory_order_relaxed);
  s.misses += misses_.load(std::memory_order_relaxed);
  s.coalesced += coalesced_.load(std::memory_order_relaxed);
  s.sets += sets_.load(std::memory_order_relaxed);
  s.errors +=
      errors_.load(std::memory_order_relaxed) + shared_->errors.load(std::memory_order_relaxed);
  return s;
}

void client::flush() {
  barrier();
  request<ok_atom>(opts_.request_timeout, flush_atom::value);
}

keyed_entry client::annotate(annotate_request req) {
  barrier();
  shared_->flights->drop(req.k);
  return request<keyed_entry>(opts_.request_timeout, annotate_atom::value, std::move(req));
}

std::vector<keyed_entry> client::pop(uint64_t max) {
  barrier();
  auto out = request<std::vector<keyed_entry>>(opts_.request_timeout, pop_atom::value, max);
  for (const auto& e : out)
    shared_->flights->drop(e.k);
  return out;
}

uint64_t client::remove_if(entry_filter filter) {
  barrier();
  shared_->flights->drop_all();
  return request<uint64_t>(opts_.request_timeout, remove_if_atom::value, std::move(filter));
}

protocol_info client::version() {
  return request<protocol_info>(opts_.request_timeout, version_atom::value);
}

} // namespace ahvn::detail
