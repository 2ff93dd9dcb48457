#pragma once

// memoized_stream<T(Args...)>: memoize for generator functions (the guide's section 5.1).
//
//   auto data_stream = cache.memoize({.name = "data_stream", .params = {"n"}},
//                                    [](int n) -> ahvn::generator<int> {
//                                      for (int i = 0; i < n; ++i)
//                                        co_yield expensive_computation(i);
//                                    });
//   for (int item : data_stream(1000)) process(item);
//
// On a miss the items pass through as the function yields them, and the whole sequence is
// stored (as a JSON array, as AgentHeaven stores a generator's output) only when it was consumed
// to the end. A `break`, an exception (in the function or in the consumer) or destroying the
// generator early stores nothing. A hit replays the stored items.
//
// Streams do not join other callers' computations (single flight): a caller that stops early
// must not leave others waiting for a sequence that never completes.
//
// Concurrency: each call returns its own generator, to be consumed on one thread.

#include "ahvn/actors/client/generator.hpp"
#include "ahvn/actors/client/memoize.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace ahvn {

template <class Signature>
class memoized_stream;

template <class T, class... Args>
class memoized_stream<T(Args...)> : public detail::memo_base<Args...> {
  using base = detail::memo_base<Args...>;

public:
  using value_type = T;

  memoized_stream() = default;
  memoized_stream(std::shared_ptr<const detail::memo_spec> spec,
                  std::function<generator<T>(Args...)> f)
      : base(std::move(spec)), f_(std::move(f)) {}

  /// The items of the stream for these arguments: replayed from the cache, or produced (and
  /// stored once consumed to the end). The arguments are copied into the generator.
  generator<T> operator()(Args... args) const {
    return run(*this, std::tuple<std::decay_t<Args>...>(args...));
  }

private:
  static generator<T> run(memoized_stream self, std::tuple<std::decay_t<Args>...> copies) {
    key k = std::apply([&](const auto&... xs) { return self.key_of(xs...); }, copies);
    auto found = detail::look_up<std::vector<T>>(
        self.spec_, k,
        [&] {
          return std::apply([&](const auto&... xs) { return self.inputs_of(xs...); }, copies);
        },
        /*coalesce=*/false);
    if (auto* stored = std::get_if<std::vector<T>>(&found)) {
      for (auto& item : *stored)
        co_yield std::move(item);
      co_return;
    }
    // The lead is released (nothing stored) if the consumer stops early: this coroutine is then
    // destroyed at its co_yield, and the lead with it.
    auto l = std::get<detail::lead_ptr>(std::move(found));
    json items = json::array();
    auto source = std::apply(self.f_, copies);
    for (const T& item : source) {
      items.push_back(json(item));
      co_yield item;
    }
    l->complete(std::move(items));
  }

  std::function<generator<T>(Args...)> f_;
};

} // namespace ahvn
