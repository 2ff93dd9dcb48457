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

#include "ahvn/actors/client/memo_spec.hpp"
#include "ahvn/actors/client/miss_path.hpp"
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

namespace detail {

/// True if `error` is the cancellation of a dropped reply.
inline bool is_cancelled(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const cache_error& e) {
    return e.code() == errc::cancelled;
  } catch (...) {
  }
  return false;
}

/// A reply whose answer settles `l` and then reaches `on_value` or `on_error` (as
/// errc::computation_failed). A reply dropped without an answer releases the lead: the next
/// waiter computes.
template <class R, class OnValue, class OnError>
reply<R> reply_for(lead_ptr l, OnValue on_value, OnError on_error) {
  return reply<R>(
      [l, on_value](R value) mutable {
        try {
          l->complete(json(value));
        } catch (const std::exception&) {
          l->release(); // json(value) failed: nothing to store
        }
        on_value(std::move(value));
      },
      [l, on_error](std::exception_ptr error) mutable {
        if (is_cancelled(error))
          l->release();
        else
          l->fail(error);
        on_error(make_failure_error(computation_failure{message_of(error), error}));
      });
}

} // namespace detail

template <class R, class Self>
class memo_response {
public:
  /// Runs the computation and answers through the reply it is given.
  using compute_fn = std::function<void(reply<R>)>;

  /// Builds the inputs object (only on a miss: a hit never needs it).
  using inputs_fn = std::function<json()>;

  memo_response(Self* self, std::shared_ptr<const detail::memo_spec> spec, key k, inputs_fn inputs,
                compute_fn compute)
      : self_(self), spec_(std::move(spec)), k_(k), make_inputs_(std::move(inputs)),
        compute_(std::move(compute)) {}

  /// Calls on_value(R) with the result, or on_error(caf::error) when the computation failed
  /// (errc::computation_failed; its message is what the function threw). Takes the one miss
  /// path's actor driver (actors/client/miss_path.hpp).
  template <class OnValue, class OnError>
  void then(OnValue on_value, OnError on_error) {
    std::function<void(R)> value_fn = std::move(on_value);
    std::function<void(caf::error)> error_fn = std::move(on_error);
    auto compute = compute_;
    auto lookup = std::make_shared<detail::actor_look_up<R, Self>>(
        self_, spec_, k_, make_inputs_, value_fn,
        [compute, value_fn, error_fn](detail::lead_ptr l) {
          auto done = detail::reply_for<R>(std::move(l), value_fn, error_fn);
          try {
            compute(done);
          } catch (...) {
            done.fail(std::current_exception());
          }
        },
        error_fn);
    lookup->start();
  }

private:
  Self* self_;
  std::shared_ptr<const detail::memo_spec> spec_;
  key k_;
  inputs_fn make_inputs_;
  compute_fn compute_;
};

} // namespace ahvn
