#include "ahvn/actors/client/flight_agent.hpp"

#include "ahvn/messages/log.hpp"

#include <set>
#include <unordered_map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace ahvn::detail {

namespace {

struct agent_state {
  std::shared_ptr<agent_shared> shared;
  // Writes in flight by sequence number; barriers wait for every write numbered before them.
  uint64_t received = 0;
  std::set<uint64_t> in_flight;
  std::vector<std::pair<uint64_t, caf::typed_response_promise<ok_atom>>> barriers;
  // Actor callers waiting for flights, by flight.
  std::unordered_map<const local_flights::flight*,
                     std::pair<flight_ref, std::vector<caf::typed_response_promise<flight_ref>>>>
      waiting;
  // Flights led by actors, by actor.
  std::unordered_map<caf::actor_addr, std::vector<local_flights::flight_ptr>> led;

  static inline const char* name = "ahvn.flight_agent";

  // Every barrier whose writes were all acknowledged is answered.
  void release_barriers() {
    uint64_t oldest = in_flight.empty() ? received + 1 : *in_flight.begin();
    std::erase_if(barriers, [&](auto& b) {
      if (b.first >= oldest) return false;
      b.second.deliver(ok_atom::value);
      return true;
    });
  }
};

using agent_pointer = flight_agent::stateful_pointer<agent_state>;

void written(agent_pointer self, uint64_t seq, const flight_ref& ref) {
  auto& s = self->state;
  s.shared->flights->forget(ref.f);
  s.in_flight.erase(seq);
  s.shared->outstanding.fetch_sub(1, std::memory_order_acq_rel);
  s.release_barriers();
}

flight_agent::behavior_type agent(agent_pointer self, std::shared_ptr<agent_shared> shared) {
  self->state.shared = std::move(shared);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto it = self->state.led.find(msg.source);
    if (it == self->state.led.end()) return;
    auto flights = std::move(it->second);
    self->state.led.erase(it);
    for (auto& f : flights)
      self->state.shared->flights->gone_down(f);
  });
  return {
      [self](write_atom, cache_actor& dest, keyed_entry& e, uint64_t lease, flight_ref& ref) {
        auto& s = self->state;
        auto seq = ++s.received;
        s.in_flight.insert(seq);
        auto k = e.k;
        auto on_ok = [self, seq, ref](ok_atom) { written(self, seq, ref); };
        auto on_error = [self, seq, ref, k](caf::error& err) {
          auto& s = self->state;
          auto ce = to_cache_error(err);
          if (ce.code() == errc::lease_lost) {
            log::info("ahvn " + s.shared->name + ": the result for key " + k.to_string() +
                      " was not stored: " + ce.message());
          } else {
            // The cache actor counted the errors it answered with; not those of the way there.
            if (ce.code() == errc::timeout || ce.code() == errc::unreachable)
              s.shared->errors.fetch_add(1, std::memory_order_relaxed);
            log::warning("ahvn " + s.shared->name + ": set " + k.to_string() +
                         " failed, the result is not cached: " + ce.what());
          }
          written(self, seq, ref);
        };
        auto timeout = caf::duration{s.shared->request_timeout};
        if (lease != 0)
          self->request(dest, timeout, complete_atom::value, std::move(e), lease)
              .then(on_ok, on_error);
        else
          self->request(dest, timeout, put_atom::value, std::move(e)).then(on_ok, on_error);
      },
      [self](wait_atom, flight_ref& ref) -> caf::result<flight_ref> {
        auto& s = self->state;
        auto it = s.waiting.find(ref.f.get());
        if (it == s.waiting.end()) {
          auto me = caf::actor_cast<flight_agent>(self);
          if (!s.shared->flights->on_settle(
                  ref.f, [me, ref] { caf::anon_send(me, settle_atom::value, ref); }))
            return ref; // settled already
          it = s.waiting
                   .emplace(
                       ref.f.get(),
                       std::make_pair(ref, std::vector<caf::typed_response_promise<flight_ref>>{}))
                   .first;
        }
        auto rp = self->make_response_promise<flight_ref>();
        it->second.second.push_back(rp);
        return rp;
      },
      [self](settle_atom, const flight_ref& ref) {
        auto it = self->state.waiting.find(ref.f.get());
        if (it == self->state.waiting.end()) return;
        auto promises = std::move(it->second.second);
        self->state.waiting.erase(it);
        for (auto& rp : promises)
          rp.deliver(ref);
      },
      [self](watch_atom, const caf::actor& leader, flight_ref& ref) {
        auto& led = self->state.led[leader.address()];
        if (led.empty()) self->monitor(leader);
        if (led.size() >= 64)
          std::erase_if(led, [](const local_flights::flight_ptr& f) {
            return f->status() != local_flights::state::running;
          });
        led.push_back(std::move(ref.f));
      },
      [self](barrier_atom) -> caf::result<ok_atom> {
        auto& s = self->state;
        if (s.in_flight.empty()) return ok_atom::value;
        auto rp = self->make_response_promise<ok_atom>();
        s.barriers.emplace_back(s.received, rp);
        return rp;
      },
  };
}

} // namespace

flight_agent spawn_flight_agent(caf::actor_system& sys, std::shared_ptr<agent_shared> shared) {
  return sys.spawn(agent, std::move(shared));
}

} // namespace ahvn::detail
