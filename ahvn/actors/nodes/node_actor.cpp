#include "ahvn/actors/nodes/node_actor.hpp"

#include "ahvn/messages/log.hpp"

#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace ahvn {

void node_counters::record(std::chrono::nanoseconds took, bool failed) noexcept {
  auto us =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  size_t i = 0;
  while (i < bounds_us.size() && us > bounds_us[i])
    ++i;
  buckets[i].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us.fetch_add(us, std::memory_order_relaxed);
  requests.fetch_add(1, std::memory_order_relaxed);
  if (failed) failed_requests.fetch_add(1, std::memory_order_relaxed);
}

namespace {

using steady = std::chrono::steady_clock;

// A client that said hello.
struct client_info {
  near_listener listener;
  bool track = false;
  std::string name;
  std::unordered_set<key> keys; // what it may hold
  std::deque<key> order;        // the same keys, oldest first (may hold stale ones)
};

struct node_state {
  cache_actor backend;
  node_options opts;
  std::shared_ptr<node_counters> counters;
  std::unordered_map<caf::actor_addr, client_info> clients;       // by the sender of its hello
  std::unordered_map<caf::actor_addr, caf::actor_addr> listeners; // listener -> client
  std::unordered_map<key, std::vector<caf::actor_addr>> readers;  // key -> tracking clients

  static inline const char* name = "ahvn.node";

  // Remembers that the sender (a tracking client) read `k`.
  void remember(const caf::actor_addr& who, const key& k) {
    auto it = clients.find(who);
    if (it == clients.end() || !it->second.track) return;
    auto& c = it->second;
    if (!c.keys.insert(k).second) return;
    c.order.push_back(k);
    readers[k].push_back(who);
    while (c.keys.size() > opts.track_limit && !c.order.empty()) {
      auto oldest = c.order.front();
      c.order.pop_front();
      if (c.keys.erase(oldest) == 0) continue; // stale: invalidated before
      forget_reader(oldest, who);
      caf::anon_send(c.listener, invalidate_atom::value, std::vector<key>{oldest});
      counters->invalidations.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void forget_reader(const key& k, const caf::actor_addr& who) {
    auto r = readers.find(k);
    if (r == readers.end()) return;
    std::erase(r->second, who);
    if (r->second.empty()) readers.erase(r);
  }

  // The entries under `ks` changed: every tracking client that read one is told, once.
  void changed(const std::vector<key>& ks) {
    std::unordered_map<caf::actor_addr, std::vector<key>> out;
    for (const auto& k : ks) {
      auto r = readers.find(k);
      if (r == readers.end()) continue;
      for (const auto& who : r->second) {
        auto c = clients.find(who);
        if (c == clients.end() || c->second.keys.erase(k) == 0) continue;
        out[who].push_back(k);
      }
      readers.erase(r);
    }
    for (auto& [who, keys] : out) {
      counters->invalidations.fetch_add(keys.size(), std::memory_order_relaxed);
      caf::anon_send(clients[who].listener, invalidate_atom::value, std::move(keys));
    }
  }

  // Everything changed (clear): every tracking client drops everything.
  void changed_all() {
    for (auto& [who, c] : clients) {
      if (!c.track || c.keys.empty()) continue;
      counters->invalidations.fetch_add(c.keys.size(), std::memory_order_relaxed);
      c.keys.clear();
      c.order.clear();
      caf::anon_send(c.listener, invalidate_atom::value);
    }
    readers.clear();
  }

  void drop_client(const caf::actor_addr& who) {
    auto it = clients.find(who);
    if (it == clients.end()) return;
    for (const auto& k : it->second.keys)
      forget_reader(k, who);
    listeners.erase(it->second.listener.address());
    clients.erase(it);
    counters->connected_clients.store(clients.size(), std::memory_order_relaxed);
  }
};

using node_pointer = node_actor::stateful_pointer<node_state>;

// Forwards a request to the backend and answers with its reply; counts it, and hands the reply
// to `after` (on success) before it leaves.
template <class R, class After, class... Ts>
caf::result<R> forward(node_pointer self, std::chrono::milliseconds timeout, After after,
                       Ts&&... xs) {
  auto rp = self->make_response_promise<R>();
  auto start = steady::now();
  auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
  self->request(self->state.backend, caf::duration{timeout}, std::forward<Ts>(xs)...)
      .then(
          [self, rp, start, after, sender](R& r) mutable {
            after(self->state, sender, r);
            self->state.counters->record(steady::now() - start, false);
            rp.deliver(std::move(r));
          },
          [self, rp, start](caf::error& err) mutable {
            self->state.counters->record(steady::now() - start, true);
            rp.deliver(std::move(err));
          });
  return rp;
}

// What a reply changes in the tracking tables.
constexpr auto nothing = [](node_state&, const caf::actor_addr&, const auto&) {};

template <class Keys>
auto invalidates(Keys ks) {
  return
      [ks = std::move(ks)](node_state& s, const caf::actor_addr&, const auto&) { s.changed(ks); };
}

node_actor::behavior_type node(node_pointer self, cache_actor backend, node_options opts,
                               std::shared_ptr<node_counters> counters) {
  auto& s = self->state;
  s.backend = std::move(backend);
  s.opts = std::move(opts);
  s.counters = std::move(counters);
  self->monitor(s.backend);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& s = self->state;
    if (msg.source == s.backend.address()) {
      log::warning(s.opts.name + ": the backend actor is gone (" + caf::to_string(msg.reason) +
                   "); quitting");
      self->quit(msg.reason);
      return;
    }
    auto l = s.listeners.find(msg.source);
    if (l == s.listeners.end()) return;
    auto who = l->second;
    if (auto c = s.clients.find(who); c != s.clients.end())
      log::info(s.opts.name + ": client " + c->second.name + " is gone (" +
                caf::to_string(msg.reason) + ")");
    s.drop_client(who);
  });
  auto t = s.opts.request_timeout;
  auto fetch_timeout = s.opts.max_lease + s.opts.request_timeout;
  return {
      [self](hello_atom, client_hello& hello) -> caf::result<protocol_info> {
        auto& s = self->state;
        protocol_info peer{hello.version, hello.interface};
        if (auto err = check_version(peer, "client " + hello.name)) {
          log::warning(s.opts.name + ": refused " + to_cache_error(err).message());
          return err;
        }
        auto who = caf::actor_cast<caf::actor_addr>(self->current_sender());
        s.drop_client(who); // a second hello starts over
        client_info c;
        c.listener = caf::actor_cast<near_listener>(hello.listener);
        c.track = hello.track && c.listener;
        c.name = hello.name;
        if (c.listener) {
          s.listeners[c.listener.address()] = who;
          self->monitor(c.listener);
        }
        s.clients.emplace(who, std::move(c));
        s.counters->connected_clients.store(s.clients.size(), std::memory_order_relaxed);
        return protocol_info{};
      },
      [self, t](get_atom, const key& k) -> caf::result<lookup> {
        return forward<lookup>(
            self, t,
            [k](node_state& s, const caf::actor_addr& who, const lookup& r) {
              if (r) s.remember(who, k);
            },
            get_atom::value, k);
      },
      [self, t](get_atom, std::vector<key>& ks) -> caf::result<std::vector<lookup>> {
        auto copy = ks;
        return forward<std::vector<lookup>>(
            self, t,
            [copy](node_state& s, const caf::actor_addr& who, const std::vector<lookup>& r) {
              for (size_t i = 0; i < r.size() && i < copy.size(); ++i)
                if (r[i]) s.remember(who, copy[i]);
            },
            get_atom::value, std::move(ks));
      },
      [self, t](put_atom, keyed_entry& e) -> caf::result<ok_atom> {
        return forward<ok_atom>(self, t, invalidates(std::vector<key>{e.k}), put_atom::value,
                                std::move(e));
      },
      [self, t](put_atom, std::vector<keyed_entry>& es) -> caf::result<ok_atom> {
        std::vector<key> ks;
        for (const auto& e : es)
          ks.push_back(e.k);
        return forward<ok_atom>(self, t, invalidates(std::move(ks)), put_atom::value,
                                std::move(es));
      },
      [self, t](delete_atom, const key& k) -> caf::result<bool> {
        return forward<bool>(self, t, invalidates(std::vector<key>{k}), delete_atom::value, k);
      },
      [self, t](clear_atom) -> caf::result<uint64_t> {
        return forward<uint64_t>(
            self, t, [](node_state& s, const caf::actor_addr&, uint64_t) { s.changed_all(); },
            clear_atom::value);
      },
      [self, t](size_atom) -> caf::result<uint64_t> {
        return forward<uint64_t>(self, t, nothing, size_atom::value);
      },
      [self, t](has_atom, const key& k) -> caf::result<bool> {
        return forward<bool>(self, t, nothing, has_atom::value, k);
      },
      [self, t](scan_atom, const scan_request& req) -> caf::result<scan_page> {
        return forward<scan_page>(self, t, nothing, scan_atom::value, req);
      },
      [self, t](stats_atom) -> caf::result<cache_stats> {
        return forward<cache_stats>(self, t, nothing, stats_atom::value);
      },
      [self, t](flush_atom) -> caf::result<ok_atom> {
        return forward<ok_atom>(self, t, nothing, flush_atom::value);
      },
      [self, fetch_timeout](fetch_atom, fetch_request& req) -> caf::result<fetch_result> {
        auto k = req.k;
        return forward<fetch_result>(
            self, fetch_timeout,
            [k](node_state& s, const caf::actor_addr& who, const fetch_result& r) {
              if (r.entry) s.remember(who, k);
            },
            fetch_atom::value, std::move(req));
      },
      [self, t](complete_atom, keyed_entry& e, uint64_t lease) -> caf::result<ok_atom> {
        return forward<ok_atom>(self, t, invalidates(std::vector<key>{e.k}), complete_atom::value,
                                std::move(e), lease);
      },
      [self, t](abandon_atom, const key& k, uint64_t lease,
                computation_failure& failure) -> caf::result<ok_atom> {
        return forward<ok_atom>(self, t, nothing, abandon_atom::value, k, lease,
                                std::move(failure));
      },
      [self, t](annotate_atom, annotate_request& req) -> caf::result<keyed_entry> {
        return forward<keyed_entry>(self, t, invalidates(std::vector<key>{req.k}),
                                    annotate_atom::value, std::move(req));
      },
      [self, t](pop_atom, uint64_t max) -> caf::result<std::vector<keyed_entry>> {
        return forward<std::vector<keyed_entry>>(
            self, t,
            [](node_state& s, const caf::actor_addr&, const std::vector<keyed_entry>& popped) {
              std::vector<key> ks;
              for (const auto& e : popped)
                ks.push_back(e.k);
              s.changed(ks);
            },
            pop_atom::value, max);
      },
      [self, t](remove_if_atom, entry_filter& filter) -> caf::result<uint64_t> {
        // Which keys went is not reported: tracking clients drop everything.
        return forward<uint64_t>(
            self, t,
            [](node_state& s, const caf::actor_addr&, uint64_t n) {
              if (n > 0) s.changed_all();
            },
            remove_if_atom::value, std::move(filter));
      },
      [](version_atom) -> caf::result<protocol_info> { return protocol_info{}; },
  };
}

} // namespace

spawned_node spawn_node(caf::actor_system& sys, cache_actor backend, node_options opts) {
  auto counters = std::make_shared<node_counters>();
  auto actor = sys.spawn(node, std::move(backend), std::move(opts), counters);
  return {std::move(actor), std::move(counters)};
}

} // namespace ahvn
