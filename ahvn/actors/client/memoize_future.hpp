#pragma once

// memoized_future<T(Args...)>: memoize for functions that are themselves asynchronous and return
// a std::future<T>. The call never blocks the caller: a hit is a ready future at once; a miss
// (which may first wait for another caller computing the same key) runs on the process's
// bounded pool (actors/client/task_pool.hpp),
// waits for the function's future, stores the value when it arrives and hands it on. An
// exception stored in the function's future reaches the caller's future (and every caller that
// waited for this computation) and nothing is stored.
//
//   auto fetch_page = cache.memoize({.name = "fetch_page", .params = {"url"}},
//                                   [](std::string url) { return http_get_async(url); });
//   std::future<std::string> body = fetch_page("https://example.com");
//
// Concurrency: callable from any number of threads at once (not from inside an actor handler
// if you then wait on the future there: use the reply form, actors/memoize_reply.hpp).

#include "ahvn/actors/client/memoize.hpp"

#include <future>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace ahvn {

template <class Signature>
class memoized_future;

template <class T, class... Args>
class memoized_future<T(Args...)> : public detail::memo_base<Args...> {
  using base = detail::memo_base<Args...>;

public:
  using result_type = T;

  memoized_future() = default;
  memoized_future(std::shared_ptr<const detail::memo_spec> spec,
                  std::function<std::future<T>(Args...)> f)
      : base(std::move(spec)), f_(std::move(f)) {}

  /// The cached value, or the function's, as a future. The arguments are copied.
  std::future<T> operator()(Args... args) const {
    key k = this->key_of(args...);
    std::optional<T> hit;
    this->spec_->cache->read_here(k, [&](const json& v) { hit.emplace(v.template get<T>()); });
    auto promise = std::make_shared<std::promise<T>>();
    auto result = promise->get_future();
    if (hit) {
      promise->set_value(std::move(*hit));
      return result;
    }
    detail::task_pool::shared().submit(
        [self = *this, k, promise, copies = std::tuple<std::decay_t<Args>...>(args...)]() mutable {
          try {
            promise->set_value(std::apply(
                [&](auto&... xs) {
                  return detail::run<T>(
                      self.spec_, k, [&] { return self.inputs_of(xs...); },
                      [&] { return self.f_(xs...).get(); });
                },
                copies));
          } catch (...) {
            promise->set_exception(std::current_exception());
          }
        });
    return result;
  }

private:
  std::function<std::future<T>(Args...)> f_;
};

} // namespace ahvn
