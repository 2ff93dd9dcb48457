#include "ahvn/actors/backend_actor.hpp"

#include "ahvn/actors/backend_compound.hpp"
#include "ahvn/actors/backend_state.hpp"
#include "ahvn/messages/log.hpp"
#include "ahvn/messages/ttl.hpp"

#include <vector>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace ahvn {

namespace detail {

backend_state::~backend_state() {
  // Best effort: a batch still pending when the actor goes away is written, not dropped.
  if (storage && !batch.empty()) commit();
}

caf::error backend_state::fail(const char* op, const std::exception& e) {
  ++counters.errors;
  if (auto ce = dynamic_cast<const cache_error*>(&e)) {
    log::error(storage->url() + ": " + op + " failed: " + ce->what());
    return make_error(ce->code(), ce->message());
  }
  log::error(storage->url() + ": " + op + " failed: " + e.what());
  return make_error(errc::backend_failure, storage->url() + ": " + op + ": " + e.what());
}

void backend_state::write_now(const std::vector<keyed_entry>& entries) {
  storage->put_many(entries);
  counters.sets += entries.size();
}

void backend_state::commit() {
  commit_scheduled = false;
  if (batch.empty()) return;
  std::vector<pending_write> todo;
  todo.swap(batch);
  batch_entries = 0;
  overlay.clear();
  std::vector<keyed_entry> all;
  for (auto& w : todo)
    all.insert(all.end(), w.entries.begin(), w.entries.end());
  try {
    write_now(all);
    for (auto& w : todo)
      if (w.rp.pending()) w.rp.deliver(ok_atom::value);
    return;
  } catch (const std::exception& e) {
    if (todo.size() == 1) {
      auto err = fail("put_many", e);
      if (todo[0].rp.pending()) todo[0].rp.deliver(err);
      return;
    }
    log::warning(storage->url() + ": a batch of " + std::to_string(todo.size()) +
                 " writes failed (" + e.what() + "); writing them one by one");
  }
  for (auto& w : todo) {
    try {
      write_now(w.entries);
      if (w.rp.pending()) w.rp.deliver(ok_atom::value);
    } catch (const std::exception& e) {
      auto err = fail("put_many", e);
      if (w.rp.pending()) w.rp.deliver(err);
    }
  }
}

entry_ptr backend_state::find(const key& k) {
  entry_ptr e;
  if (!overlay.empty()) {
    auto i = overlay.find(k);
    if (i != overlay.end()) e = i->second;
  }
  if (!e) e = storage->get(k);
  if (e && expired(*e, time->now())) {
    commit();
    if (storage->remove(k)) ++counters.expirations;
    return nullptr;
  }
  return e;
}

void backend_state::count(const key& k, const entry_ptr& e) {
  if (e) {
    ++counters.hits;
    storage->touch(k);
  } else {
    ++counters.misses;
  }
}

void backend_state::stamp(std::vector<keyed_entry>& entries) {
  auto now = time->now();
  for (auto& e : entries) {
    if (e.entry->metadata.contains("expires_at") || !requested_ttl(*e.entry)) continue;
    auto copy = std::make_shared<cache_entry>(*e.entry);
    stamp_expiry(*copy, now);
    e.entry = std::move(copy);
  }
}

} // namespace detail

namespace {

using detail::backend_state;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using lease_atom = caf::atom_constant<caf::atom("lease")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;

// The backend's own interface: the protocol plus the messages it sends itself.
using backend_actor = cache_actor::extend<caf::reacts_to<commit_atom>, caf::reacts_to<lease_atom>,
                                          caf::reacts_to<sweep_atom>>;

using backend_pointer = backend_actor::stateful_pointer<backend_state>;

// Runs `f` against the store; exceptions become error replies.
template <class F>
auto guarded(backend_pointer self, const char* op, F&& f) -> caf::result<decltype(f())> {
  try {
    return f();
  } catch (const std::exception& e) {
    return self->state.fail(op, e);
  }
}

void schedule_commit(backend_pointer self) {
  auto& s = self->state;
  if (s.batch_entries >= s.opts.max_batch) {
    s.commit();
    return;
  }
  if (s.commit_scheduled) return;
  s.commit_scheduled = true;
  // The commit message queues behind every write already in the mailbox: they join this batch.
  auto me = caf::actor_cast<backend_actor>(self);
  if (s.opts.max_delay.count() > 0)
    self->delayed_send(me, s.opts.max_delay, commit_atom::value);
  else
    self->send(me, commit_atom::value);
}

// Schedules a check for when the earliest lease runs out (none without flights), unless one is
// scheduled by then already. A lease that passed on may run out before the one scheduled.
void schedule_lease_check(backend_pointer self) {
  auto& s = self->state;
  auto next = s.flights.next_deadline();
  if (!next || (s.lease_check_at && *s.lease_check_at <= *next)) return;
  s.lease_check_at = next;
  auto wait =
      std::chrono::ceil<std::chrono::milliseconds>(*next - detail::single_flight::steady::now());
  self->delayed_send(caf::actor_cast<backend_actor>(self),
                     std::max(wait, std::chrono::milliseconds(1)), lease_atom::value);
}

caf::result<ok_atom> enqueue(backend_pointer self, std::vector<keyed_entry> entries) {
  auto& s = self->state;
  try {
    s.stamp(entries);
  } catch (const cache_error& e) {
    ++s.counters.errors;
    return make_error(e.code(), e.message());
  }
  for (const auto& e : entries)
    s.flights.complete(e.k, e.entry); // waiters get the value now, not after the commit
  if (!s.opts.group_commit) {
    return guarded(self, "put", [&] {
      s.write_now(entries);
      return ok_atom::value;
    });
  }
  for (const auto& e : entries)
    s.overlay[e.k] = e.entry;
  s.batch_entries += entries.size();
  auto rp = self->make_response_promise<ok_atom>();
  s.batch.push_back({std::move(entries), rp});
  schedule_commit(self);
  return rp;
}

caf::error lease_lost(const backend_state& s, const char* op, const key& k, uint64_t lease) {
  return make_error(errc::lease_lost, s.storage->url() + ": " + op + " of key " + k.to_string() +
                                          " with lease " + std::to_string(lease) +
                                          ", which is not the key's current lease");
}

caf::result<fetch_result> fetch(backend_pointer self, const fetch_request& req) {
  auto& s = self->state;
  entry_ptr e;
  try {
    e = s.find(req.k);
  } catch (const std::exception& ex) {
    return s.fail("get", ex);
  }
  s.count(req.k, e);
  if (e) return fetch_result{std::move(e), 0};
  const auto& holder = req.holder.actor;
  if (holder && s.watched.insert(holder.address()).second) self->monitor(holder);
  auto lease = req.lease_ms > 0 ? std::chrono::milliseconds(req.lease_ms) : s.opts.default_lease;
  detail::single_flight::waiter w{self->make_response_promise<fetch_result>(), holder, lease};
  auto out = s.flights.miss(req.k, w, s.opts.single_flight && req.coalesce,
                            detail::single_flight::steady::now());
  if (out.waiting) {
    ++s.counters.coalesced;
    return w.rp;
  }
  if (out.lease != 0) schedule_lease_check(self);
  // The promise took over this request's reply: answer through it.
  w.rp.deliver(fetch_result{nullptr, out.lease});
  return w.rp;
}

void sweep(backend_pointer self) {
  auto& s = self->state;
  try {
    s.commit();
    auto n = s.storage->sweep_expired(s.time->now(), s.sweep_cursor, 1024);
    s.counters.expirations += n;
  } catch (const std::exception& e) {
    s.fail("sweep", e);
  }
  // A partial sweep continues at once; a full one waits for the next interval.
  auto me = caf::actor_cast<backend_actor>(self);
  if (s.sweep_cursor)
    self->send(me, sweep_atom::value);
  else
    self->delayed_send(me, s.opts.sweep_interval, sweep_atom::value);
}

backend_actor::behavior_type backend(backend_pointer self, std::shared_ptr<store> storage,
                                     backend_options opts) {
  auto& s = self->state;
  s.storage = std::move(storage);
  s.time = opts.time_source ? opts.time_source : clock::system();
  s.opts = std::move(opts);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.commit();
    self->quit(msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& msg) {
    self->state.watched.erase(msg.source);
    self->state.flights.down(msg.source, detail::single_flight::steady::now());
    schedule_lease_check(self);
  });
  if (s.opts.sweep_interval.count() > 0)
    self->delayed_send(caf::actor_cast<backend_actor>(self), s.opts.sweep_interval,
                       sweep_atom::value);
  return {
      [self](get_atom, const key& k) -> caf::result<lookup> {
        return guarded(self, "get", [&] {
          auto e = self->state.find(k);
          self->state.count(k, e);
          return lookup{std::move(e)};
        });
      },
      [self](get_atom, const std::vector<key>& ks) -> caf::result<std::vector<lookup>> {
        return guarded(self, "get_many", [&] {
          auto& s = self->state;
          std::vector<lookup> out;
          out.reserve(ks.size());
          auto now = s.time->now();
          auto found = s.overlay.empty() ? s.storage->get_many(ks) : std::vector<entry_ptr>{};
          for (size_t i = 0; i < ks.size(); ++i) {
            entry_ptr e = found.empty() ? s.find(ks[i]) : std::move(found[i]);
            if (e && expired(*e, now)) e = s.find(ks[i]); // removes it
            s.count(ks[i], e);
            out.push_back({std::move(e)});
          }
          return out;
        });
      },
      [self](put_atom, keyed_entry& e) -> caf::result<ok_atom> {
        std::vector<keyed_entry> one;
        one.push_back(std::move(e));
        return enqueue(self, std::move(one));
      },
      [self](put_atom, std::vector<keyed_entry>& es) -> caf::result<ok_atom> {
        return enqueue(self, std::move(es));
      },
      [self](fetch_atom, const fetch_request& req) -> caf::result<fetch_result> {
        return fetch(self, req);
      },
      [self](complete_atom, keyed_entry& e, uint64_t lease) -> caf::result<ok_atom> {
        if (!self->state.flights.holds(e.k, lease))
          return lease_lost(self->state, "complete", e.k, lease);
        std::vector<keyed_entry> one;
        one.push_back(std::move(e));
        return enqueue(self, std::move(one));
      },
      [self](abandon_atom, const key& k, uint64_t lease,
             const computation_failure& failure) -> caf::result<ok_atom> {
        auto& s = self->state;
        if (!s.flights.abandon(k, lease, failure.retry, make_failure_error(failure),
                               detail::single_flight::steady::now()))
          return lease_lost(s, "abandon", k, lease);
        schedule_lease_check(self);
        return ok_atom::value;
      },
      [self](annotate_atom, const annotate_request& req) -> caf::result<keyed_entry> {
        return guarded(self, "annotate", [&] { return annotate_entry(self->state, req); });
      },
      [self](pop_atom, uint64_t max) -> caf::result<std::vector<keyed_entry>> {
        return guarded(self, "pop", [&] { return pop_entries(self->state, max); });
      },
      [self](remove_if_atom, const entry_filter& filter) -> caf::result<uint64_t> {
        return guarded(self, "remove_if", [&] { return remove_matching(self->state, filter); });
      },
      [self](delete_atom, const key& k) -> caf::result<bool> {
        self->state.commit();
        return guarded(self, "remove", [&] {
          bool removed = self->state.storage->remove(k);
          if (removed) ++self->state.counters.removes;
          return removed;
        });
      },
      [self](clear_atom) -> caf::result<uint64_t> {
        self->state.commit();
        return guarded(self, "clear", [&] {
          auto n = self->state.storage->clear();
          self->state.counters.removes += n;
          return n;
        });
      },
      [self](size_atom) -> caf::result<uint64_t> {
        self->state.commit();
        return guarded(self, "size", [&] { return self->state.storage->size(); });
      },
      [self](has_atom, const key& k) -> caf::result<bool> {
        return guarded(self, "has", [&] { return self->state.find(k) != nullptr; });
      },
      [self](scan_atom, const scan_request& req) -> caf::result<scan_page> {
        self->state.commit();
        return guarded(self, "scan", [&] {
          auto page = self->state.storage->scan(req);
          auto now = self->state.time->now();
          std::erase_if(page.entries, [&](const keyed_entry& e) { return expired(*e.entry, now); });
          return page;
        });
      },
      [self](stats_atom) -> caf::result<cache_stats> {
        self->state.commit(); // the counters then include every write that arrived before
        return guarded(self, "stats", [&] {
          auto& s = self->state;
          auto out = s.counters;
          auto c = s.storage->counters();
          out.entries = c.entries;
          out.evictions += c.evictions;
          out.expirations += c.expirations;
          out.errors += c.errors;
          return out;
        });
      },
      [self](flush_atom) -> caf::result<ok_atom> {
        self->state.commit();
        return guarded(self, "flush", [&] {
          self->state.storage->flush();
          return ok_atom::value;
        });
      },
      [](version_atom) -> caf::result<protocol_info> { return protocol_info{}; },
      [self](commit_atom) { self->state.commit(); },
      [self](lease_atom) {
        // An earlier check may still be pending: checking twice is harmless.
        self->state.lease_check_at.reset();
        self->state.flights.expire_due(detail::single_flight::steady::now());
        schedule_lease_check(self);
      },
      [self](sweep_atom) { sweep(self); },
  };
}

} // namespace

cache_actor spawn_backend(caf::actor_system& sys, std::unique_ptr<store> s, backend_options opts) {
  std::shared_ptr<store> shared = std::move(s);
  backend_actor handle;
  if (opts.detached)
    handle = sys.spawn<caf::detached>(backend, std::move(shared), opts);
  else
    handle = sys.spawn(backend, std::move(shared), opts);
  return caf::actor_cast<cache_actor>(handle);
}

} // namespace ahvn
