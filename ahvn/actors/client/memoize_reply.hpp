#pragma once

// memoized_reply<T(Args...)>: memoize for functions that answer later through a reply<T> —
// typically a CAF actor that asks another actor and delivers when the answer arrives:
//
//   auto ask = cache.memoize({.name = "ask", .params = {"question"}},
//                            [self, worker](std::string q, ahvn::reply<std::string> r) {
//                              self->request(worker, caf::infinite, q).then(
//                                [r](std::string a) { r.deliver(a); },
//                                [r](caf::error& e) { r.fail(std::make_exception_ptr(
//                                  std::runtime_error(caf::to_string(e)))); });
//                            });
//   ask.request(self, "What is LMDB?").then(on_value, on_error);
//
// A hit answers at once without calling the function; a miss calls it, and the value is stored
// when the reply is delivered. A reply that fails reaches on_error and every caller waiting for
// this computation; one dropped without an answer reaches on_error (errc::cancelled) and lets
// the next waiter compute; nothing is stored. From a plain thread, async() gives a std::future
// (the lookup runs on the process's bounded pool).
//
// Concurrency: see actors/memoize_actor.hpp (deliver the reply inside the calling actor).

#include "ahvn/actors/client/memoize.hpp"

#include <future>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace ahvn {

template <class Signature>
class memoized_reply;

template <class T, class... Args>
class memoized_reply<T(Args...)> : public detail::memo_base<Args...> {
  using base = detail::memo_base<Args...>;

public:
  using result_type = T;
  using function = std::function<void(Args..., reply<T>)>;

  memoized_reply() = default;
  memoized_reply(std::shared_ptr<const detail::memo_spec> spec, function f)
      : base(std::move(spec)), f_(std::move(f)) {}

  /// The call inside a CAF actor (see memo_response). The arguments are copied.
  template <class Self>
  memo_response<T, Self> request(Self* self, Args... args) const {
    key k = this->key_of(args...);
    auto f = f_;
    auto copies = std::make_shared<std::tuple<std::decay_t<Args>...>>(args...);
    auto base_copy = static_cast<const base&>(*this);
    return {self, this->spec_, k,
            [base_copy, copies] {
              return std::apply([&](const auto&... xs) { return base_copy.inputs_of(xs...); },
                                *copies);
            },
            [f, copies](reply<T> done) {
              std::apply([&](const auto&... xs) { f(xs..., std::move(done)); }, *copies);
            }};
  }

  /// The call from a plain thread: a future that the reply (or a hit) fulfils.
  std::future<T> async(Args... args) const {
    key k = this->key_of(args...);
    auto promise = std::make_shared<std::promise<T>>();
    auto result = promise->get_future();
    std::optional<T> hit;
    this->spec_->cache->read_here(k, [&](const json& v) { hit.emplace(v.template get<T>()); });
    if (hit) {
      promise->set_value(std::move(*hit));
      return result;
    }
    detail::task_pool::shared().submit(
        [self = *this, k, promise, copies = std::tuple<std::decay_t<Args>...>(args...)]() mutable {
          try {
            auto found = std::apply(
                [&](auto&... xs) {
                  return detail::look_up<T>(
                      self.spec_, k, [&] { return self.inputs_of(xs...); }, true,
                      /*may_block=*/false);
                },
                copies);
            if (auto* v = std::get_if<T>(&found)) {
              promise->set_value(std::move(*v));
              return;
            }
            auto done = detail::reply_for<T>(
                std::get<detail::lead_ptr>(std::move(found)),
                [promise](T value) { promise->set_value(std::move(value)); },
                [promise](const caf::error& err) {
                  auto failure = failure_of(err);
                  promise->set_exception(failure && failure->error
                                             ? failure->error
                                             : std::make_exception_ptr(to_cache_error(err)));
                });
            std::apply([&](auto&... xs) { self.f_(xs..., done); }, copies);
          } catch (...) {
            try {
              promise->set_exception(std::current_exception());
            } catch (const std::future_error&) {
              // the reply answered already
            }
          }
        });
    return result;
  }

private:
  function f_;
};

} // namespace ahvn
