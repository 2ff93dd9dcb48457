#include "ahvn/actors/single_flight.hpp"

namespace ahvn::detail {

single_flight::outcome single_flight::miss(const key& k, const waiter& w, bool coalesce,
                                           steady::time_point now) {
  if (!coalesce) return {0, false};
  auto [it, fresh] = flights_.try_emplace(k);
  if (fresh) {
    it->second.lease = next_lease();
    it->second.holder = w.holder;
    it->second.deadline = now + w.lease;
    return {it->second.lease, false};
  }
  it->second.waiters.push_back(w);
  return {0, true};
}

bool single_flight::holds(const key& k, uint64_t lease) const {
  auto it = flights_.find(k);
  return it != flights_.end() && it->second.lease == lease;
}

void single_flight::complete(const key& k, const entry_ptr& e) {
  auto it = flights_.find(k);
  if (it == flights_.end()) return;
  auto waiters = std::move(it->second.waiters);
  flights_.erase(it);
  for (auto& w : waiters)
    if (w.rp.pending()) w.rp.deliver(fetch_result{e, 0});
}

bool single_flight::abandon(const key& k, uint64_t lease, bool retry, const caf::error& err,
                            steady::time_point now) {
  auto it = flights_.find(k);
  if (it == flights_.end() || it->second.lease != lease) return false;
  if (retry) {
    if (!pass_on(it->second, now)) flights_.erase(it);
    return true;
  }
  auto waiters = std::move(it->second.waiters);
  flights_.erase(it);
  for (auto& w : waiters)
    if (w.rp.pending()) w.rp.deliver(err);
  return true;
}

bool single_flight::pass_on(flight& f, steady::time_point now) {
  while (!f.waiters.empty()) {
    auto w = std::move(f.waiters.front());
    f.waiters.pop_front();
    if (!w.rp.pending()) continue;
    f.lease = next_lease();
    f.holder = w.holder;
    f.deadline = now + w.lease;
    w.rp.deliver(fetch_result{nullptr, f.lease});
    return true;
  }
  return false;
}

void single_flight::expire_due(steady::time_point now) {
  for (auto it = flights_.begin(); it != flights_.end();) {
    if (it->second.deadline <= now && !pass_on(it->second, now))
      it = flights_.erase(it);
    else
      ++it;
  }
}

void single_flight::down(const caf::actor_addr& who, steady::time_point now) {
  for (auto it = flights_.begin(); it != flights_.end();) {
    auto& f = it->second;
    // A waiter that went down leaves the queue; a holder that went down passes its lease on.
    std::erase_if(f.waiters,
                  [&](const waiter& w) { return w.holder && w.holder.address() == who; });
    if (f.holder && f.holder.address() == who && !pass_on(f, now))
      it = flights_.erase(it);
    else
      ++it;
  }
}

std::optional<single_flight::steady::time_point> single_flight::next_deadline() const {
  std::optional<steady::time_point> out;
  for (const auto& [k, f] : flights_)
    if (!out || f.deadline < *out) out = f.deadline;
  return out;
}

} // namespace ahvn::detail
