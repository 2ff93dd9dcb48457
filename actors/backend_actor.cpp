#include "actors/backend_actor.hpp"

#include <unordered_map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/log.hpp"

namespace ahvn {

namespace {

using commit_atom = caf::atom_constant<caf::atom("commit")>;

// The backend's own interface: the protocol plus the message it sends itself to commit.
using backend_actor = cache_actor::extend<caf::reacts_to<commit_atom>>;

struct backend_state {
  std::shared_ptr<store> st;
  backend_options opts;
  std::vector<keyed_entry> batch;
  std::vector<caf::typed_response_promise<ok_atom>> waiting;
  std::unordered_map<key, entry_ptr> overlay; // the batch by key, for reads
  bool commit_scheduled = false;
  cache_stats counters;

  static inline const char* name = "ahvn.backend";

  ~backend_state() {
    // Best effort: a batch still pending when the actor goes away is written, not dropped.
    if (st && !batch.empty())
      commit();
  }

  caf::error fail(const char* op, const std::exception& e) {
    ++counters.errors;
    if (auto ce = dynamic_cast<const cache_error*>(&e)) {
      log::error(st->url() + ": " + op + " failed: " + ce->what());
      return make_error(ce->code(), ce->message());
    }
    log::error(st->url() + ": " + op + " failed: " + e.what());
    return make_error(errc::backend_failure, st->url() + ": " + op + ": " + e.what());
  }

  // Writes the pending batch and answers its writers.
  void commit() {
    commit_scheduled = false;
    if (batch.empty())
      return;
    std::vector<keyed_entry> todo;
    todo.swap(batch);
    std::vector<caf::typed_response_promise<ok_atom>> answer;
    answer.swap(waiting);
    overlay.clear();
    caf::error err;
    try {
      st->put_many(todo);
      counters.sets += todo.size();
    } catch (const std::exception& e) {
      err = fail("put_many", e);
    }
    for (auto& rp : answer) {
      if (!rp.pending())
        continue;
      if (err)
        rp.deliver(err);
      else
        rp.deliver(ok_atom::value);
    }
  }

  entry_ptr find(const key& k) {
    if (!overlay.empty()) {
      auto i = overlay.find(k);
      if (i != overlay.end())
        return i->second;
    }
    return st->get(k);
  }

  void count(const entry_ptr& e) {
    if (e)
      ++counters.hits;
    else
      ++counters.misses;
  }
};

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
  if (s.batch.size() >= s.opts.max_batch) {
    s.commit();
    return;
  }
  if (s.commit_scheduled)
    return;
  s.commit_scheduled = true;
  // The commit message queues behind every write already in the mailbox: they join this batch.
  auto me = caf::actor_cast<backend_actor>(self);
  if (s.opts.max_delay.count() > 0)
    self->delayed_send(me, s.opts.max_delay, commit_atom::value);
  else
    self->send(me, commit_atom::value);
}

caf::result<ok_atom> enqueue(backend_pointer self, std::vector<keyed_entry> entries) {
  auto& s = self->state;
  if (!s.opts.group_commit) {
    return guarded(self, "put", [&] {
      s.st->put_many(entries);
      s.counters.sets += entries.size();
      return ok_atom::value;
    });
  }
  for (auto& e : entries) {
    s.overlay[e.k] = e.entry;
    s.batch.push_back(std::move(e));
  }
  auto rp = self->make_response_promise<ok_atom>();
  s.waiting.push_back(rp);
  schedule_commit(self);
  return rp;
}

backend_actor::behavior_type backend(backend_pointer self, std::shared_ptr<store> st,
                                     backend_options opts) {
  self->state.st = std::move(st);
  self->state.opts = opts;
  self->set_exit_handler([self](caf::exit_msg& msg) {
    self->state.commit();
    self->quit(msg.reason);
  });
  return {
    [self](get_atom, const key& k) -> caf::result<lookup> {
      return guarded(self, "get", [&] {
        auto e = self->state.find(k);
        self->state.count(e);
        return lookup{std::move(e)};
      });
    },
    [self](get_atom, const std::vector<key>& ks) -> caf::result<std::vector<lookup>> {
      return guarded(self, "get_many", [&] {
        auto& s = self->state;
        std::vector<lookup> out;
        out.reserve(ks.size());
        if (s.overlay.empty()) {
          for (auto& e : s.st->get_many(ks)) {
            s.count(e);
            out.push_back({std::move(e)});
          }
        } else {
          for (const auto& k : ks) {
            auto e = s.find(k);
            s.count(e);
            out.push_back({std::move(e)});
          }
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
    [self](delete_atom, const key& k) -> caf::result<bool> {
      self->state.commit();
      return guarded(self, "remove", [&] {
        bool removed = self->state.st->remove(k);
        if (removed)
          ++self->state.counters.removes;
        return removed;
      });
    },
    [self](clear_atom) -> caf::result<uint64_t> {
      self->state.commit();
      return guarded(self, "clear", [&] {
        auto n = self->state.st->clear();
        self->state.counters.removes += n;
        return n;
      });
    },
    [self](size_atom) -> caf::result<uint64_t> {
      self->state.commit();
      return guarded(self, "size", [&] { return self->state.st->size(); });
    },
    [self](has_atom, const key& k) -> caf::result<bool> {
      return guarded(self, "has", [&] {
        auto& s = self->state;
        return s.overlay.count(k) > 0 || s.st->contains(k);
      });
    },
    [self](scan_atom, const scan_request& req) -> caf::result<scan_page> {
      self->state.commit();
      return guarded(self, "scan", [&] { return self->state.st->scan(req); });
    },
    [self](stats_atom) -> caf::result<cache_stats> {
      return guarded(self, "stats", [&] {
        auto& s = self->state;
        auto out = s.counters;
        auto c = s.st->counters();
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
        self->state.st->flush();
        return ok_atom::value;
      });
    },
    [self](commit_atom) { self->state.commit(); },
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
