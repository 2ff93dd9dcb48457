#include "ahvn/actors/client/local_flights.hpp"

#include "ahvn/messages/ttl.hpp"

namespace ahvn::detail {

local_flights::state local_flights::flight::status() const {
  std::lock_guard<std::mutex> guard(m_);
  return state_;
}

entry_ptr local_flights::flight::entry() const {
  std::lock_guard<std::mutex> guard(m_);
  return entry_;
}

std::exception_ptr local_flights::flight::error() const {
  std::lock_guard<std::mutex> guard(m_);
  return error_;
}

local_flights::entered local_flights::enter(const key& k, steady::time_point now,
                                            std::chrono::milliseconds lease, bool coalesce,
                                            time_point unix_now) {
  auto f = std::make_shared<flight>();
  f->k_ = k;
  f->deadline_ = now + lease;
  if (!coalesce) return {entered::lead, std::move(f), nullptr};
  flight_ptr superseded;
  {
    auto& s = shard_of(k);
    std::lock_guard<std::mutex> guard(s.m);
    auto [it, fresh] = s.flights.try_emplace(k, f);
    if (fresh) {
      count_.fetch_add(1, std::memory_order_relaxed);
      return {entered::lead, std::move(f), nullptr};
    }
    auto& current = it->second;
    {
      std::lock_guard<std::mutex> fg(current->m_);
      if (current->state_ == state::done && current->entry_ && !expired(*current->entry_, unix_now))
        return {entered::pending, nullptr, current->entry_};
      if (current->state_ == state::running && now < current->deadline_)
        return {entered::wait, current, nullptr};
    }
    // Its lease ran out, or it is a pending value that expired: this caller takes over.
    superseded = current;
    current = f;
  }
  settle(superseded, state::released, nullptr, nullptr); // its waiters enter again
  return {entered::lead, std::move(f), nullptr};
}

entry_ptr local_flights::pending(const key& k, time_point unix_now, bool replacing_only) const {
  if (count_.load(std::memory_order_acquire) == 0) return nullptr;
  entry_ptr e;
  {
    auto& s = shard_of(k);
    std::lock_guard<std::mutex> guard(s.m);
    auto it = s.flights.find(k);
    if (it == s.flights.end()) return nullptr;
    std::lock_guard<std::mutex> fg(it->second->m_);
    if (it->second->state_ != state::done || (replacing_only && !it->second->replaces_))
      return nullptr;
    e = it->second->entry_;
  }
  if (e && expired(*e, unix_now)) return nullptr;
  return e;
}

void local_flights::settle(const flight_ptr& f, state outcome, entry_ptr e,
                           std::exception_ptr err) {
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard<std::mutex> guard(f->m_);
    if (f->state_ != state::running) return;
    f->state_ = outcome;
    f->entry_ = std::move(e);
    f->error_ = std::move(err);
    listeners.swap(f->listeners_);
    f->give_up_ = nullptr; // settled: nothing left to give up (and no cycle through it)
  }
  f->cv_.notify_all();
  for (auto& fn : listeners)
    fn();
}

void local_flights::erase(const flight_ptr& f) {
  auto& s = shard_of(f->k_);
  std::lock_guard<std::mutex> guard(s.m);
  auto it = s.flights.find(f->k_);
  if (it == s.flights.end() || it->second != f) return;
  s.flights.erase(it);
  count_.fetch_sub(1, std::memory_order_release);
}

void local_flights::finish(const flight_ptr& f, entry_ptr e, bool keep, bool replaces) {
  {
    std::lock_guard<std::mutex> guard(f->m_);
    f->replaces_ = replaces;
  }
  settle(f, state::done, std::move(e), nullptr);
  if (!keep) {
    erase(f);
    return;
  }
  // A flight nobody could join (or one superseded) still publishes its pending value, unless
  // another caller is computing the key right now.
  auto& s = shard_of(f->k_);
  std::lock_guard<std::mutex> guard(s.m);
  auto [it, fresh] = s.flights.try_emplace(f->k_, f);
  if (fresh) {
    count_.fetch_add(1, std::memory_order_release);
    return;
  }
  if (it->second != f && it->second->status() == state::done) it->second = f;
}

void local_flights::fail(const flight_ptr& f, std::exception_ptr error) {
  erase(f);
  settle(f, state::failed, nullptr, std::move(error));
}

void local_flights::release(const flight_ptr& f) {
  erase(f);
  settle(f, state::released, nullptr, nullptr);
}

void local_flights::on_gone_down(const flight_ptr& f, std::function<void()> give_up) {
  std::lock_guard<std::mutex> guard(f->m_);
  f->give_up_ = std::move(give_up);
}

void local_flights::gone_down(const flight_ptr& f) {
  std::function<void()> give_up;
  {
    std::lock_guard<std::mutex> guard(f->m_);
    if (f->state_ != state::running) return;
    give_up = std::move(f->give_up_);
  }
  release(f);
  if (give_up) give_up();
}

void local_flights::forget(const flight_ptr& f) {
  if (f) erase(f);
}

local_flights::state local_flights::wait(const flight_ptr& f, steady::time_point deadline) {
  std::unique_lock<std::mutex> lock(f->m_);
  f->cv_.wait_until(lock, deadline, [&] { return f->state_ != state::running; });
  return f->state_;
}

bool local_flights::on_settle(const flight_ptr& f, std::function<void()> fn) {
  std::lock_guard<std::mutex> guard(f->m_);
  if (f->state_ != state::running) return false;
  f->listeners_.push_back(std::move(fn));
  return true;
}

void local_flights::drop(const key& k) {
  if (count_.load(std::memory_order_acquire) == 0) return;
  auto& s = shard_of(k);
  std::lock_guard<std::mutex> guard(s.m);
  auto it = s.flights.find(k);
  if (it == s.flights.end() || it->second->status() != state::done) return;
  s.flights.erase(it);
  count_.fetch_sub(1, std::memory_order_release);
}

void local_flights::drop_all() {
  if (count_.load(std::memory_order_acquire) == 0) return;
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> guard(s.m);
    for (auto it = s.flights.begin(); it != s.flights.end();) {
      if (it->second->status() == state::done) {
        it = s.flights.erase(it);
        count_.fetch_sub(1, std::memory_order_release);
      } else {
        ++it;
      }
    }
  }
}

} // namespace ahvn::detail
