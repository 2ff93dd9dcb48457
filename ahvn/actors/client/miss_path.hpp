#pragma once

// The one miss path. Every memoized call — sync, async, future, reply, inside an actor, stream,
// batch — takes the same steps:
//
//   1. read on the caller's thread: the pending values of this process, then the store's reader
//      (client::read_here); a hit ends the call;
//   2. the local flight of the key (actors/client/local_flights.hpp): a pending value ends the
//      call; another caller's running flight is waited for (its value, its exception, or — if
//      it gave up or its lease ran out — back to 2); otherwise this caller leads;
//   3. where the cache needs it (client_traits::fetch_on_miss: no caller-thread reader, feeds, a
//      remote owner), the leader fetches from the cache actor, which coordinates callers beyond
//      this process: a hit ends the flight, a lease lets it compute;
//   4. the leader computes and completes its `lead` (the value goes to its waiters at once and
//      is written through the flight agent — or, on a plain thread with a durable store, before
//      the call returns), or fails it (waiters get the exception), or drops it (released: the
//      next waiter computes).
//
// Two drivers take these steps: look_up() blocks a plain thread; look_up_in_actor() continues
// with request(...).then and never blocks the actor. A memoized form is a few lines on one of
// them (README "Adding a calling context").
//
// Misses ask the cache actor only in step 3, so a miss on an in-memory cache costs no round trip.

#include "ahvn/actors/client/client.hpp"
#include "ahvn/actors/client/memo_spec.hpp"

#include <exception>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include <caf/actor_cast.hpp>
#include <caf/duration.hpp>
#include <caf/error.hpp>
#include <caf/send.hpp>

namespace ahvn::detail {

/// The right and the duty to compute one missed key. Complete it with the function's output,
/// fail it with the function's exception, or drop it: a lead destroyed unsettled is released
/// (the next waiter computes, nothing is stored). Never throws.
///
/// Concurrency: settle it once, from any thread.
class lead {
public:
  /// `replaces`: the store still shows another value of the key (it did not convert).
  lead(std::shared_ptr<const memo_spec> spec, key k, json inputs, local_flights::flight_ptr f,
       uint64_t lease, bool may_block, bool replaces = false)
      : spec_(std::move(spec)), k_(k), inputs_(std::move(inputs)), f_(std::move(f)), lease_(lease),
        may_block_(may_block), replaces_(replaces) {}
  ~lead() { release(); }
  lead(const lead&) = delete;
  lead& operator=(const lead&) = delete;

  const key& k() const { return k_; }
  const json& inputs() const { return inputs_; }
  /// The cache actor's lease (0: none was needed, or the cache failed).
  uint64_t lease() const { return lease_; }

  /// Stores `output` under the key: its waiters get it now; the write follows.
  void complete(json output) noexcept;
  /// The function threw `error`: its waiters rethrow it, nothing is stored.
  void fail(std::exception_ptr error) noexcept;
  /// Gives up: the next waiter computes, nothing is stored.
  void release() noexcept;

private:
  std::shared_ptr<const memo_spec> spec_;
  key k_;
  json inputs_;
  local_flights::flight_ptr f_;
  uint64_t lease_;
  bool may_block_;
  bool replaces_;
  bool settled_ = false;
};

using lead_ptr = std::shared_ptr<lead>;

/// What step 1-3 found: the hit value, or a lead to compute with.
template <class R>
using looked_up = std::variant<R, lead_ptr>;

/// Steps 1-3 on a plain thread. `make_inputs()` builds the inputs object (only on a miss);
/// `may_block`: the lead may wait for its write (false when it is completed from a reply).
/// Rethrows the exception of a computation it waited for.
template <class R, class MakeInputs>
looked_up<R> look_up(const std::shared_ptr<const memo_spec>& spec, const key& k,
                     MakeInputs&& make_inputs, bool coalesce = true, bool may_block = true) {
  auto& c = *spec->cache;
  std::optional<R> hit;
  auto take = [&](const json& v) { hit.emplace(v.template get<R>()); };
  auto first = c.read_here(k, take);
  if (hit) return std::move(*hit);
  // A value that no longer converts is recomputed by this caller alone and replaced.
  bool replacing = first == client::read_result::unusable;
  bool join = coalesce && c.traits().coalesce && !replacing;
  for (;;) {
    auto in = c.flights().enter(k, local_flights::steady::now(), c.options().lease, join, c.now());
    if (in.kind == local_flights::entered::pending) {
      try {
        take(*in.entry->value());
        return std::move(*hit);
      } catch (const std::exception& e) {
        c.count_error("get " + k.to_string() + ": the stored value is unusable: " + e.what());
        join = false;
        replacing = true;
        continue;
      }
    }
    if (in.kind == local_flights::entered::wait) {
      c.count_coalesced();
      auto settled = c.flights().wait(in.f, local_flights::steady::now() + c.options().lease);
      if (settled == local_flights::state::done) {
        try {
          take(*in.f->entry()->value());
          return std::move(*hit);
        } catch (const std::exception& e) {
          c.count_error("get " + k.to_string() + ": the computed value is unusable: " + e.what());
          join = false;
        }
      } else if (settled == local_flights::state::failed) {
        std::rethrow_exception(in.f->error());
      }
      continue; // released, or its lease ran out: enter again
    }
    // This caller leads.
    json inputs = make_inputs();
    uint64_t lease = 0;
    if (c.traits().fetch_on_miss && first != client::read_result::unusable) {
      auto got = c.fetch(k, spec->name, inputs, join);
      if (got.failed) {
        c.flights().fail(in.f, got.failed);
        std::rethrow_exception(got.failed);
      }
      if (got.entry && got.entry->value()) {
        try {
          take(*got.entry->value());
          c.flights().finish(in.f, got.entry, false);
          return std::move(*hit);
        } catch (const std::exception& e) {
          c.count_error("get " + k.to_string() +
                        ": the stored value is unusable, computing instead: " + e.what());
        }
      }
      lease = got.lease;
    } else {
      c.count_miss();
    }
    return std::make_shared<lead>(spec, k, std::move(inputs), std::move(in.f), lease, may_block,
                                  replacing);
  }
}

/// The whole sequence on a plain thread: steps 1-3, then `compute()` under the lead.
template <class R, class MakeInputs, class Compute>
R run(const std::shared_ptr<const memo_spec>& spec, const key& k, MakeInputs&& make_inputs,
      Compute&& compute) {
  auto found = look_up<R>(spec, k, std::forward<MakeInputs>(make_inputs));
  if (auto* v = std::get_if<R>(&found)) return std::move(*v);
  auto& l = std::get<lead_ptr>(found);
  std::optional<R> value;
  try {
    value.emplace(compute());
  } catch (...) {
    l->fail(std::current_exception());
    throw;
  }
  try {
    l->complete(json(*value));
  } catch (const std::exception& e) { // json(*value) failed: return it uncached
    spec->cache->count_error("set " + spec->name + ": " + e.what());
  }
  return std::move(*value);
}

/// Steps 1-3 inside an actor: `on_hit(R)` with a value, `on_lead(lead_ptr)` to compute, or
/// `on_error(caf::error)` when a computation this call waited for failed. Every handler runs on
/// the actor's thread (a hit: at once).
template <class R, class Self>
class actor_look_up : public std::enable_shared_from_this<actor_look_up<R, Self>> {
public:
  using on_hit_fn = std::function<void(R)>;
  using on_lead_fn = std::function<void(lead_ptr)>;
  using on_error_fn = std::function<void(caf::error)>;

  actor_look_up(Self* self, std::shared_ptr<const memo_spec> spec, key k,
                std::function<json()> make_inputs, on_hit_fn on_hit, on_lead_fn on_lead,
                on_error_fn on_error)
      : self_(self), spec_(std::move(spec)), k_(k), make_inputs_(std::move(make_inputs)),
        on_hit_(std::move(on_hit)), on_lead_(std::move(on_lead)), on_error_(std::move(on_error)) {}

  void start() {
    auto& c = *spec_->cache;
    std::optional<R> hit;
    auto first = c.read_here(k_, [&](const json& v) { hit.emplace(v.template get<R>()); });
    if (hit) {
      on_hit_(std::move(*hit));
      return;
    }
    unusable_ = first == client::read_result::unusable;
    join_ = c.traits().coalesce && !unusable_;
    enter();
  }

private:
  // Converts a value; false (counted) if it does not convert.
  bool deliver(const entry_ptr& e) {
    std::optional<R> v;
    try {
      v.emplace(e->value()->template get<R>());
    } catch (const std::exception& ex) {
      spec_->cache->count_error("get " + k_.to_string() + ": the value is unusable: " + ex.what());
      return false;
    }
    on_hit_(std::move(*v));
    return true;
  }

  void enter() {
    auto& c = *spec_->cache;
    auto in =
        c.flights().enter(k_, local_flights::steady::now(), c.options().lease, join_, c.now());
    if (in.kind == local_flights::entered::pending) {
      if (!deliver(in.entry)) {
        join_ = false;
        enter();
      }
      return;
    }
    if (in.kind == local_flights::entered::wait) {
      c.count_coalesced();
      auto me = this->shared_from_this();
      auto timeout = caf::duration{c.options().lease + c.options().request_timeout};
      self_->request(c.agent(), timeout, wait_atom::value, flight_ref{in.f})
          .then([me](flight_ref& ref) { me->settled(ref.f); },
                [me](caf::error&) { me->enter(); }); // the agent is gone or slow: try again
      return;
    }
    lead_(std::move(in.f));
  }

  void settled(const local_flights::flight_ptr& f) {
    switch (f->status()) {
    case local_flights::state::done:
      if (!deliver(f->entry())) {
        join_ = false;
        enter();
      }
      return;
    case local_flights::state::failed: {
      auto error = f->error();
      on_error_(make_failure_error(computation_failure{message_of(error), error}));
      return;
    }
    default:
      enter(); // released, or superseded: enter again
    }
  }

  void lead_(local_flights::flight_ptr f) {
    auto& c = *spec_->cache;
    if (join_) // if this actor goes down while computing, a waiter takes over
      caf::anon_send(c.agent(), watch_atom::value, caf::actor_cast<caf::actor>(self_),
                     flight_ref{f});
    inputs_ = make_inputs_();
    if (!c.traits().fetch_on_miss || unusable_) {
      c.count_miss();
      on_lead_(
          std::make_shared<lead>(spec_, k_, std::move(inputs_), std::move(f), 0, false, unusable_));
      return;
    }
    auto me = this->shared_from_this();
    auto timeout = caf::duration{c.options().lease + c.options().request_timeout};
    self_
        ->request(c.actor(), timeout, fetch_atom::value,
                  c.fetch_request_for(k_, spec_->name, inputs_, join_))
        .then(
            [me, f](fetch_result& res) {
              auto& c = *me->spec_->cache;
              if (res.entry && res.entry->value()) {
                c.flights().finish(f, res.entry, false);
                if (me->deliver(res.entry)) return;
              }
              if (res.lease != 0 && me->join_) { // this actor going down gives it up
                c.flights().on_gone_down(f, [spec = me->spec_, k = me->k_, lease = res.lease] {
                  spec->cache->abandon(k, lease, nullptr);
                });
              }
              me->on_lead_(std::make_shared<lead>(me->spec_, me->k_, std::move(me->inputs_), f,
                                                  res.lease, false));
            },
            [me, f](caf::error& err) {
              auto& c = *me->spec_->cache;
              if (is_computation_failure(err)) { // the caller we waited for failed
                auto failure = failure_of(err);
                c.flights().fail(f, failure && failure->error
                                        ? failure->error
                                        : std::make_exception_ptr(to_cache_error(err)));
                me->on_error_(std::move(err));
                return;
              }
              c.count_error("get " + me->k_.to_string() +
                            " failed, computing instead: " + to_cache_error(err).what());
              me->on_lead_(
                  std::make_shared<lead>(me->spec_, me->k_, std::move(me->inputs_), f, 0, false));
            });
  }

  Self* self_;
  std::shared_ptr<const memo_spec> spec_;
  key k_;
  std::function<json()> make_inputs_;
  on_hit_fn on_hit_;
  on_lead_fn on_lead_;
  on_error_fn on_error_;
  json inputs_;
  bool unusable_ = false;
  bool join_ = true;
};

} // namespace ahvn::detail
