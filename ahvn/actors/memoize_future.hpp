#pragma once

// memoized_future<T(Args...)>: memoize for functions that are themselves asynchronous and return
// a std::future<T>. The call never blocks the caller: a hit is a ready future at once; a miss
// (which may first wait for another caller computing the same key) runs on a thread of its own,
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

#include "ahvn/actors/memoize.hpp"

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
    json inputs = this->inputs_of(args...);
    key k = compute_key(this->spec_->name, inputs);
    std::optional<T> hit;
    this->spec_->core->read_fast(k, [&](const json& v) { hit.emplace(v.template get<T>()); });
    if (hit) {
      std::promise<T> ready;
      ready.set_value(std::move(*hit));
      return ready.get_future();
    }
    return std::async(std::launch::async,
                      [self = *this, k, inputs = std::move(inputs),
                       copies = std::tuple<std::decay_t<Args>...>(args...)]() mutable {
                        return self.compute(k, std::move(inputs), copies);
                      });
  }

private:
  T compute(const key& k, json inputs, std::tuple<std::decay_t<Args>...>& copies) const {
    uint64_t lease;
    if (auto hit = this->template lookup<T>(k, inputs, lease)) return std::move(*hit);
    std::optional<T> value;
    try {
      value.emplace(std::apply(f_, copies).get());
    } catch (...) {
      this->spec_->core->abandon(k, lease, std::current_exception());
      throw;
    }
    this->store(k, std::move(inputs), json(*value), lease);
    return std::move(*value);
  }

  std::function<std::future<T>(Args...)> f_;
};

} // namespace ahvn
