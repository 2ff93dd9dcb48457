#include "ahvn/actors/dispatcher.hpp"

#include "ahvn/messages/log.hpp"

#include <deque>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace ahvn {

namespace {

using ms = std::chrono::milliseconds;

template <class Handle>
struct target {
  Handle handle;
  std::string name; // "callback 2 (an actor)", for log lines
  bool alive = true;
};

// Writes whose set events wait for the inner actor's acknowledgement, oldest first.
struct pending_write {
  enum class status { waiting, stored, refused };
  std::vector<keyed_entry> events;
  status outcome = status::waiting;
};

// One miss walking the feeds.
struct feed_walk {
  fetch_request req;
  uint64_t lease = 0;
  caf::typed_response_promise<fetch_result> rp;
  size_t next = 0;
};

struct dispatcher_state {
  cache_actor inner;
  dispatcher_options opts;
  std::vector<target<callback_actor>> callbacks;
  std::vector<target<feed_actor>> feeds;
  std::shared_ptr<std::atomic<uint64_t>> errors;
  std::deque<pending_write> writes;
  uint64_t first_write = 0; // the sequence number of writes.front()

  static inline const char* name = "ahvn.dispatcher";

  std::string prefix() const { return "ahvn " + opts.name + ": "; }

  void count_error() { errors->fetch_add(1, std::memory_order_relaxed); }

  bool firing() const {
    for (const auto& c : callbacks)
      if (c.alive) return true;
    return false;
  }

  bool feeding() const {
    for (const auto& f : feeds)
      if (f.alive) return true;
    return false;
  }

  // The event callbacks receive: the entry without the excluded input names.
  keyed_entry event_of(const keyed_entry& e) const {
    if (opts.exclude.empty() || !e.entry || !e.entry->inputs.is_object()) return e;
    bool any = false;
    for (const auto& name : opts.exclude)
      any = any || e.entry->inputs.contains(name);
    if (!any) return e;
    auto copy = std::make_shared<cache_entry>(*e.entry);
    for (const auto& name : opts.exclude)
      copy->inputs.erase(name);
    return {e.k, std::move(copy)};
  }
};

using dispatcher_pointer = cache_actor::stateful_pointer<dispatcher_state>;

std::string describe(const caf::error& err, ms timeout) {
  if (err.category() == caf::atom("system") &&
      err.code() == static_cast<uint8_t>(caf::sec::request_timeout))
    return "no answer within " + std::to_string(timeout.count()) + " ms";
  if (err.category() == error_category) return to_cache_error(err).message();
  return caf::to_string(err);
}

// Sends the set events of every settled write at the head of the queue, in order.
void fire_settled(dispatcher_pointer self) {
  auto& s = self->state;
  while (!s.writes.empty() && s.writes.front().outcome != pending_write::status::waiting) {
    auto w = std::move(s.writes.front());
    s.writes.pop_front();
    ++s.first_write;
    if (w.outcome != pending_write::status::stored) continue;
    for (const auto& e : w.events) {
      try {
        auto event = s.event_of(e);
        for (const auto& c : s.callbacks)
          if (c.alive) self->send(c.handle, set_event_atom::value, event);
      } catch (const std::exception& ex) {
        s.count_error();
        log::error(s.prefix() + "could not send the set event of key " + e.k.to_string() + ": " +
                   ex.what());
      }
    }
  }
}

// Queues a write's set events; `settle` marks them stored (with the entries the inner actor
// answered, when it decides them) or refused, and fires what is settled, in arrival order.
auto queue_write(dispatcher_pointer self, std::vector<keyed_entry> events) {
  auto& s = self->state;
  uint64_t seq = s.first_write + s.writes.size();
  s.writes.push_back({std::move(events), pending_write::status::waiting});
  return [self, seq](pending_write::status outcome, std::vector<keyed_entry>* decided = nullptr) {
    auto& s = self->state;
    auto& w = s.writes[seq - s.first_write];
    w.outcome = outcome;
    if (decided) w.events = std::move(*decided);
    fire_settled(self);
  };
}

// Forwards a write; once the inner actor answered, its events go out (in arrival order).
template <class... Ts>
caf::result<ok_atom> write(dispatcher_pointer self, std::vector<keyed_entry> events, Ts&&... xs) {
  auto& s = self->state;
  auto settle = queue_write(self, std::move(events));
  auto rp = self->make_response_promise<ok_atom>();
  self->request(s.inner, caf::duration{s.opts.request_timeout}, std::forward<Ts>(xs)...)
      .then(
          [settle, rp](ok_atom) mutable {
            settle(pending_write::status::stored);
            rp.deliver(ok_atom::value);
          },
          [settle, rp](caf::error& err) mutable {
            settle(pending_write::status::refused);
            rp.deliver(std::move(err));
          });
  return rp;
}

// An annotate is a write whose entry the inner actor decides: its event is the entry it stored.
caf::result<keyed_entry> annotate(dispatcher_pointer self, annotate_request& req) {
  auto& s = self->state;
  if (!s.firing()) return self->delegate(s.inner, annotate_atom::value, std::move(req));
  auto settle = queue_write(self, {});
  auto rp = self->make_response_promise<keyed_entry>();
  self->request(s.inner, caf::duration{s.opts.request_timeout}, annotate_atom::value,
                std::move(req))
      .then(
          [settle, rp](keyed_entry& stored) mutable {
            std::vector<keyed_entry> events{stored};
            settle(pending_write::status::stored, &events);
            rp.deliver(std::move(stored));
          },
          [settle, rp](caf::error& err) mutable {
            settle(pending_write::status::refused);
            rp.deliver(std::move(err));
          });
  return rp;
}

void ask_next_feed(dispatcher_pointer self, std::shared_ptr<feed_walk> w);

// A feed answered: store the entry (completing the lease), then answer with it.
void use_fed_value(dispatcher_pointer self, std::shared_ptr<feed_walk> w, json value) {
  auto& s = self->state;
  entry_ptr e;
  try {
    auto made = std::make_shared<cache_entry>();
    made->func = w->req.func;
    made->inputs = w->req.inputs;
    made->output = std::move(value);
    e = std::move(made);
  } catch (const std::exception& ex) {
    s.count_error();
    log::error(s.prefix() + "could not build the fed entry of key " + w->req.k.to_string() + ": " +
               ex.what());
    w->rp.deliver(fetch_result{nullptr, w->lease});
    return;
  }
  // With a lease the fed value completes the flight; a fetch that took none stores it plainly.
  auto stored = w->lease != 0
                    ? self->request(s.inner, caf::duration{s.opts.request_timeout},
                                    complete_atom::value, keyed_entry{w->req.k, e}, w->lease)
                    : self->request(s.inner, caf::duration{s.opts.request_timeout}, put_atom::value,
                                    keyed_entry{w->req.k, e});
  stored.then(
      [w, e](ok_atom) {
        w->rp.deliver(fetch_result{e, 0});
      },
      [self, w, e](caf::error& err) {
        // The value is right even if it could not be stored: answer with it.
        log::warning(self->state.prefix() + "the fed value of key " + w->req.k.to_string() +
                     " was not stored: " + describe(err, self->state.opts.request_timeout));
        w->rp.deliver(fetch_result{e, 0});
      });
}

void ask_next_feed(dispatcher_pointer self, std::shared_ptr<feed_walk> w) {
  auto& s = self->state;
  while (w->next < s.feeds.size() && !s.feeds[w->next].alive)
    ++w->next;
  if (w->next >= s.feeds.size()) {
    w->rp.deliver(fetch_result{nullptr, w->lease}); // no value: the caller computes
    return;
  }
  auto i = w->next++;
  feed_request req;
  try {
    req = feed_request{w->req.k, w->req.func, w->req.inputs};
  } catch (const std::exception&) {
    w->rp.deliver(fetch_result{nullptr, w->lease});
    return;
  }
  self->request(s.feeds[i].handle, caf::duration{s.opts.feed_timeout}, feed_atom::value,
                std::move(req))
      .then(
          [self, w](feed_answer& a) {
            if (a.value)
              use_fed_value(self, w, std::move(*a.value));
            else
              ask_next_feed(self, w);
          },
          [self, w, i](caf::error& err) {
            auto& s = self->state;
            s.count_error();
            log::error(s.prefix() + s.feeds[i].name + " failed for '" + w->req.func + "' (key " +
                       w->req.k.to_string() + "), skipped: " + describe(err, s.opts.feed_timeout));
            ask_next_feed(self, w);
          });
}

// True if the request's func and inputs give its key (so a fed entry may be stored under it).
bool consistent(const fetch_request& req) {
  try {
    return compute_key(req.func, req.inputs) == req.k;
  } catch (const std::exception&) {
    return false;
  }
}

caf::result<fetch_result> fetch(dispatcher_pointer self, fetch_request& req) {
  auto& s = self->state;
  if (!s.feeding() || req.func.empty())
    return self->delegate(s.inner, fetch_atom::value, std::move(req));
  auto w = std::make_shared<feed_walk>();
  w->rp = self->make_response_promise<fetch_result>();
  auto timeout =
      (req.lease_ms > 0 ? ms(req.lease_ms) : s.opts.default_lease) + s.opts.request_timeout;
  w->req = req;
  self->request(s.inner, caf::duration{timeout}, fetch_atom::value, std::move(req))
      .then(
          [self, w](fetch_result& res) {
            if (res.entry) {
              w->rp.deliver(std::move(res)); // a hit, or another caller's result
              return;
            }
            w->lease = res.lease;
            if (!consistent(w->req)) {
              log::warning(self->state.prefix() + "a fetch of key " + w->req.k.to_string() +
                           " carries the inputs of another key: feeds not asked");
              w->rp.deliver(std::move(res));
              return;
            }
            ask_next_feed(self, w);
          },
          [w](caf::error& err) { w->rp.deliver(std::move(err)); });
  return w->rp;
}

caf::error unsupported(const dispatcher_state& s, const char* op) {
  return make_error(errc::not_supported,
                    s.opts.name + " stores no entries: " + op + " is not supported");
}

cache_actor::behavior_type dispatcher(dispatcher_pointer self, cache_actor inner,
                                      std::vector<target<callback_actor>> callbacks,
                                      std::vector<target<feed_actor>> feeds,
                                      dispatcher_options opts,
                                      std::shared_ptr<std::atomic<uint64_t>> errors,
                                      std::vector<caf::actor> owned) {
  auto& s = self->state;
  s.inner = std::move(inner);
  s.callbacks = std::move(callbacks);
  s.feeds = std::move(feeds);
  s.opts = std::move(opts);
  s.errors = std::move(errors);
  // Actors made for plain functions finish the events already sent to them, then quit.
  self->attach_functor([owned = std::move(owned)] {
    for (const auto& a : owned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  });
  self->monitor(s.inner);
  for (const auto& c : s.callbacks)
    self->monitor(c.handle);
  for (const auto& f : s.feeds)
    self->monitor(f.handle);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& s = self->state;
    if (msg.source == s.inner.address()) {
      log::warning(s.prefix() + "the inner cache actor is gone (" + caf::to_string(msg.reason) +
                   "); quitting");
      self->quit(msg.reason);
      return;
    }
    auto gone = [&](auto& targets, const char* what) {
      for (auto& t : targets) {
        if (!t.alive || t.handle.address() != msg.source) continue;
        t.alive = false;
        s.count_error();
        log::error(s.prefix() + t.name + " is gone (" + caf::to_string(msg.reason) + "): " + what);
      }
    };
    gone(s.callbacks, "skipped from now on, its set events are dropped");
    gone(s.feeds, "skipped from now on");
  });
  auto timeout = caf::duration{s.opts.request_timeout};
  return {
      [self](get_atom, const key& k) -> caf::result<lookup> {
        return self->delegate(self->state.inner, get_atom::value, k);
      },
      [self](get_atom, const std::vector<key>& ks) -> caf::result<std::vector<lookup>> {
        return self->delegate(self->state.inner, get_atom::value, ks);
      },
      [self](put_atom, keyed_entry& e) -> caf::result<ok_atom> {
        if (!self->state.firing())
          return self->delegate(self->state.inner, put_atom::value, std::move(e));
        std::vector<keyed_entry> events{e};
        return write(self, std::move(events), put_atom::value, std::move(e));
      },
      [self](put_atom, std::vector<keyed_entry>& es) -> caf::result<ok_atom> {
        if (!self->state.firing())
          return self->delegate(self->state.inner, put_atom::value, std::move(es));
        auto events = es;
        return write(self, std::move(events), put_atom::value, std::move(es));
      },
      [self](complete_atom, keyed_entry& e, uint64_t lease) -> caf::result<ok_atom> {
        if (!self->state.firing())
          return self->delegate(self->state.inner, complete_atom::value, std::move(e), lease);
        std::vector<keyed_entry> events{e};
        return write(self, std::move(events), complete_atom::value, std::move(e), lease);
      },
      [self](fetch_atom, fetch_request& req) -> caf::result<fetch_result> {
        return fetch(self, req);
      },
      [self](abandon_atom, const key& k, uint64_t lease,
             const computation_failure& failure) -> caf::result<ok_atom> {
        return self->delegate(self->state.inner, abandon_atom::value, k, lease, failure);
      },
      [self](annotate_atom, annotate_request& req) -> caf::result<keyed_entry> {
        return annotate(self, req);
      },
      [self](pop_atom, uint64_t max) -> caf::result<std::vector<keyed_entry>> {
        if (self->state.opts.stores_nothing) return std::vector<keyed_entry>{};
        return self->delegate(self->state.inner, pop_atom::value, max);
      },
      [self](remove_if_atom, entry_filter& filter) -> caf::result<uint64_t> {
        if (self->state.opts.stores_nothing) return unsupported(self->state, "remove_if");
        return self->delegate(self->state.inner, remove_if_atom::value, std::move(filter));
      },
      [](version_atom) -> caf::result<protocol_info> { return protocol_info{}; },
      [self](delete_atom, const key& k) -> caf::result<bool> {
        if (self->state.opts.stores_nothing) return unsupported(self->state, "remove");
        return self->delegate(self->state.inner, delete_atom::value, k);
      },
      [self](clear_atom) -> caf::result<uint64_t> {
        if (self->state.opts.stores_nothing) return unsupported(self->state, "clear");
        return self->delegate(self->state.inner, clear_atom::value);
      },
      [self](size_atom) -> caf::result<uint64_t> {
        if (self->state.opts.stores_nothing) return uint64_t{0};
        return self->delegate(self->state.inner, size_atom::value);
      },
      [self](has_atom, const key& k) -> caf::result<bool> {
        if (self->state.opts.stores_nothing) return unsupported(self->state, "exists");
        return self->delegate(self->state.inner, has_atom::value, k);
      },
      [self](scan_atom, const scan_request& req) -> caf::result<scan_page> {
        if (self->state.opts.stores_nothing) return scan_page{};
        return self->delegate(self->state.inner, scan_atom::value, req);
      },
      [self, timeout](stats_atom) -> caf::result<cache_stats> {
        auto rp = self->make_response_promise<cache_stats>();
        self->request(self->state.inner, timeout, stats_atom::value)
            .then(
                [self, rp](cache_stats& counters) mutable {
                  counters.errors += self->state.errors->load(std::memory_order_relaxed);
                  rp.deliver(std::move(counters));
                },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](flush_atom) -> caf::result<ok_atom> {
        return self->delegate(self->state.inner, flush_atom::value);
      },
  };
}

void require(bool ok, const std::string& what) {
  if (!ok) throw cache_error(errc::invalid_argument, what);
}

} // namespace

cache_actor spawn_dispatcher(caf::actor_system& sys, cache_actor inner,
                             std::vector<callback> callbacks, std::vector<feed> feeds,
                             dispatcher_options opts) {
  // Check everything before spawning anything: a half-built dispatcher would leak actors.
  require(inner != nullptr, opts.name + ": the inner cache actor is empty");
  for (size_t i = 0; i < callbacks.size(); ++i)
    require(callbacks[i].actor() || callbacks[i].function(),
            opts.name + ": callback " + std::to_string(i + 1) + " is empty");
  for (size_t i = 0; i < feeds.size(); ++i)
    require(feeds[i].actor() || feeds[i].function(),
            opts.name + ": feed " + std::to_string(i + 1) + " is empty");
  auto errors = std::make_shared<std::atomic<uint64_t>>(0);
  std::vector<caf::actor> owned;
  std::vector<target<callback_actor>> cbs;
  std::vector<target<feed_actor>> fds;
  for (size_t i = 0; i < callbacks.size(); ++i) {
    auto n = std::to_string(i + 1);
    const auto& c = callbacks[i];
    if (c.actor()) {
      cbs.push_back({c.actor(), "callback " + n + " (an actor)"});
      continue;
    }
    auto name = "callback " + n;
    auto a = detail::spawn_callback_function(sys, c.function(), name, errors);
    owned.push_back(caf::actor_cast<caf::actor>(a));
    cbs.push_back({std::move(a), name});
  }
  for (size_t i = 0; i < feeds.size(); ++i) {
    auto n = std::to_string(i + 1);
    const auto& f = feeds[i];
    if (f.actor()) {
      fds.push_back({f.actor(), "feed " + n + " (an actor)"});
      continue;
    }
    auto name = "feed " + n;
    auto a = detail::spawn_feed_function(sys, f.function(), name);
    owned.push_back(caf::actor_cast<caf::actor>(a));
    fds.push_back({std::move(a), name});
  }
  return sys.spawn(dispatcher, std::move(inner), std::move(cbs), std::move(fds), std::move(opts),
                   std::move(errors), std::move(owned));
}

} // namespace ahvn
