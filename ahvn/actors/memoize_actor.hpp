#pragma once

// The asynchronous pieces of memoize:
//   reply<R>           how a function that answers later delivers its result (or its failure);
//   memo_response<R>   what a memoized call inside a CAF actor returns: call .then(on_value,
//                      on_error); nothing blocks the actor's thread on the cache.
//
// Concurrency: a reply may be delivered from any thread, once. A memo_response's handlers run
// on the actor's own thread when the cache answers; when the function itself answers through a
// reply, they run where the reply is delivered — so deliver from within the same actor (e.g. in
// a .then handler of `self`), as CAF requires for anything that touches the actor.

#include "ahvn/actors/memo_spec.hpp"
#include "ahvn/messages/protocol.hpp"

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <caf/duration.hpp>
#include <caf/error.hpp>

namespace ahvn {

/// The future result of a computation that answers later. Copies share one state; the first
/// deliver() or fail() counts, later ones are ignored. If every copy is destroyed without an
/// answer, the computation fails with errc::cancelled ("the reply was dropped").
template <class R>
class reply {
public:
  using value_fn = std::function<void(R)>;
  using error_fn = std::function<void(std::exception_ptr)>;

  reply(value_fn on_value, error_fn on_error)
      : st_(std::make_shared<state>(std::move(on_value), std::move(on_error))) {}

  /// Answers with `value`.
  void deliver(R value) const {
    if (!st_->done.exchange(true)) st_->on_value(std::move(value));
  }
  /// Answers with a failure (the exception the computation raised).
  void fail(std::exception_ptr error) const {
    if (!st_->done.exchange(true)) st_->on_error(std::move(error));
  }
  /// True until the first answer.
  bool pending() const { return !st_->done.load(); }

private:
  struct state {
    state(value_fn v, error_fn e) : on_value(std::move(v)), on_error(std::move(e)) {}
    ~state() {
      if (!done.exchange(true))
        on_error(std::make_exception_ptr(
            cache_error(errc::cancelled, "the reply was dropped without an answer")));
    }
    value_fn on_value;
    error_fn on_error;
    std::atomic<bool> done{false};
  };
  std::shared_ptr<state> st_;
};

template <class R, class Self>
class memo_response {
public:
  /// Runs the computation and answers through the reply it is given.
  using compute_fn = std::function<void(reply<R>)>;

  /// Builds the inputs object (only on a miss: a hit never needs it).
  using inputs_fn = std::function<json()>;

  memo_response(Self* self, std::shared_ptr<const detail::memo_spec> spec, key k, inputs_fn inputs,
                compute_fn compute)
      : st_(std::make_shared<ctx>()) {
    st_->self = self;
    st_->spec = std::move(spec);
    st_->k = k;
    st_->make_inputs = std::move(inputs);
    st_->compute = std::move(compute);
  }

  /// Calls on_value(R) with the result, or on_error(caf::error) when the computation failed
  /// (errc::computation_failed; its message is what the function threw).
  template <class OnValue, class OnError>
  void then(OnValue on_value, OnError on_error) {
    st_->on_value = std::move(on_value);
    st_->on_error = std::move(on_error);
    auto& core = *st_->spec->core;
    std::optional<R> hit;
    auto fast = core.read_fast(st_->k, [&](const json& v) { hit.emplace(v.template get<R>()); });
    if (hit) {
      st_->on_value(std::move(*hit));
      return;
    }
    st_->inputs = st_->make_inputs();
    if (fast == detail::cache_core::fast_read::unusable) {
      run(st_, detail::cache_core::no_lease);
      return;
    }
    fetch_request req;
    req.k = st_->k;
    req.func = st_->spec->name;
    req.inputs = st_->inputs;
    req.lease_ms = static_cast<uint32_t>(core.options().lease.count());
    req.watch_sender = true; // if this actor dies while computing, a waiter takes over
    auto timeout = caf::duration{core.options().lease + core.options().request_timeout};
    auto st = st_;
    st_->self->request(core.actor(), timeout, fetch_atom::value, std::move(req))
        .then(
            [st](fetch_result& res) {
              if (res.entry && res.entry->value()) {
                std::optional<R> v;
                try {
                  v.emplace(res.entry->value()->template get<R>());
                } catch (const std::exception& e) {
                  st->spec->core->count_error(
                      "get " + st->k.to_string() +
                      ": the stored value is unusable, computing instead: " + e.what());
                }
                if (v) {
                  st->on_value(std::move(*v));
                  return;
                }
                run(st, detail::cache_core::no_lease);
                return;
              }
              run(st, res.lease);
            },
            [st](caf::error& err) {
              if (err.category() == error_category &&
                  err.code() == static_cast<uint8_t>(errc::computation_failed)) {
                st->on_error(std::move(err)); // the caller we waited for failed
                return;
              }
              st->spec->core->count_error("get " + st->k.to_string() +
                                          " failed, computing instead: " + to_string(err));
              run(st, detail::cache_core::no_lease);
            });
  }

private:
  struct ctx {
    Self* self = nullptr;
    std::shared_ptr<const detail::memo_spec> spec;
    key k;
    inputs_fn make_inputs;
    json inputs;
    compute_fn compute;
    std::function<void(R)> on_value;
    std::function<void(caf::error)> on_error;
  };

  static std::string to_string(const caf::error& err) { return to_cache_error(err).what(); }

  static void run(std::shared_ptr<ctx> st, uint64_t lease) {
    reply<R> done(
        [st, lease](R value) {
          try {
            st->spec->core->complete_async({st->k, st->spec->make_entry(st->inputs, json(value))},
                                           lease);
          } catch (const std::exception& e) {
            st->spec->core->count_error("set " + st->k.to_string() + ": " + e.what());
          }
          st->on_value(std::move(value));
        },
        [st, lease](std::exception_ptr error) {
          st->spec->core->abandon(st->k, lease, error);
          st->on_error(make_failure_error(computation_failure{message_of(error), error}));
        });
    try {
      st->compute(done);
    } catch (...) {
      done.fail(std::current_exception());
    }
  }

  std::shared_ptr<ctx> st_;
};

} // namespace ahvn
