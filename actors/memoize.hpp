#pragma once

// memoized<R(Args...)>: a function whose results are cached (the seed's @cache.memoize).
//
// C++ parameters have no names, so a memoized function is given them once; the call's
// arguments become the `inputs` object {name: to_input_json(arg)} and the key is AgentHeaven's,
// so a Python service memoizing a function of the same name and parameters shares the entries.
//
//   ahvn::in_mem_cache cache;
//   ahvn::memoized<long(int)> fib;
//   fib = cache.memoize({.name = "fibonacci", .params = {"n"}}, [&](int n) -> long {
//     return n <= 1 ? n : fib(n - 2) + fib(n - 1);
//   });
//
// A hit returns the stored value (the `expected` of an annotated entry, else the `output`); any
// stored value counts, including 0, "", [], {}, false and null. A miss runs the function and
// stores its result. An exception from the function propagates and nothing is stored. If the
// cache fails (a backend error, a value that no longer converts to R), the function runs and
// its result is returned: the failure is logged and counted, never raised.
//
// Concurrency: a memoized object may be called from any number of plain threads at once.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "actors/arguments.hpp"
#include "actors/cache_core.hpp"
#include "messages/cache_entry.hpp"
#include "messages/error.hpp"

namespace ahvn {

/// How memoize names and stores a function's calls. Every member has a default.
struct memoize_options {
  /// The function's name in the key (Python uses the function's __name__). Required.
  std::string name = {};
  /// One name per parameter, in order: they build the `inputs` object.
  std::vector<std::string> params = {};
  /// Parameter names left out of `inputs` and the key (debug flags, timestamps, ...).
  std::vector<std::string> exclude = {};
  /// Stored with every entry as metadata["annotation"] (e.g. {"team": "backend"}); null: none.
  json annotation = nullptr;
};

namespace detail {

/// What every call of one memoized function shares, fixed when it is created.
struct memo_spec {
  std::shared_ptr<cache_core> core;
  std::string name;
  std::vector<std::string> params; // by argument position
  std::vector<bool> included;      // by argument position: false if excluded
  json metadata;                   // stored with each entry

  /// Checks the options against the arity and builds the spec; throws cache_error
  /// (errc::invalid_argument) naming the function and what is wrong.
  static std::shared_ptr<const memo_spec> make(std::shared_ptr<cache_core> core,
                                               memoize_options opts, size_t arity);
};

template <class F>
struct signature_of : signature_of<decltype(&F::operator())> {};
template <class R, class... Args>
struct signature_of<R (*)(Args...)> {
  using type = R(Args...);
};
template <class R, class... Args>
struct signature_of<R(Args...)> {
  using type = R(Args...);
};
template <class C, class R, class... Args>
struct signature_of<R (C::*)(Args...) const> {
  using type = R(Args...);
};
template <class C, class R, class... Args>
struct signature_of<R (C::*)(Args...)> {
  using type = R(Args...);
};

template <class Signature>
struct arity_of;
template <class R, class... Args>
struct arity_of<R(Args...)> : std::integral_constant<size_t, sizeof...(Args)> {};

} // namespace detail

template <class Signature>
class memoized;

template <class R, class... Args>
class memoized<R(Args...)> {
  static_assert(!std::is_void_v<R>, "a memoized function must return a value");
  static_assert(!std::is_reference_v<R>, "a memoized function must return by value");

public:
  using result_type = R;

  /// An empty memoized function (assign one from cache::memoize before calling it).
  memoized() = default;

  memoized(std::shared_ptr<const detail::memo_spec> spec, std::function<R(Args...)> f)
    : spec_(std::move(spec)), f_(std::move(f)) {}

  /// Returns the cached result for these arguments, or computes, stores and returns it.
  /// REQUIRES: not empty.
  R operator()(Args... args) const {
    auto& core = *spec_->core;
    json inputs = inputs_of(args...);
    key k = compute_key(spec_->name, inputs);
    std::optional<R> hit;
    auto take = [&](const json& v) { hit.emplace(v.template get<R>()); };
    // The hit path runs on this thread; only a miss talks to the cache actor.
    auto fast = core.read_fast(k, take);
    if (hit)
      return std::move(*hit);
    uint64_t lease = detail::cache_core::no_lease;
    if (fast == detail::cache_core::fast_read::miss) {
      lease = core.fetch(k, spec_->name, inputs, take); // may wait for another caller's result
      if (hit)
        return std::move(*hit);
    }
    std::optional<R> result;
    try {
      result.emplace(f_(args...));
    } catch (...) {
      core.abandon(k, lease, std::current_exception());
      throw;
    }
    store(k, std::move(inputs), *result, lease);
    return std::move(*result);
  }

  /// The `inputs` object a call with these arguments is cached under.
  json inputs_of(const std::remove_reference_t<Args>&... args) const {
    json inputs = json::object();
    size_t i = 0;
    auto add = [&](const auto& arg) {
      if (spec_->included[i])
        inputs[spec_->params[i]] = to_input_json(arg);
      ++i;
    };
    (add(args), ...);
    return inputs;
  }

  /// The key a call with these arguments is cached under.
  key key_of(const std::remove_reference_t<Args>&... args) const {
    return compute_key(spec_->name, inputs_of(args...));
  }

  /// The function's name in the cache.
  const std::string& name() const { return spec_->name; }

  explicit operator bool() const { return spec_ != nullptr; }

private:
  void store(const key& k, json inputs, const R& result, uint64_t lease) const {
    try {
      auto e = std::make_shared<cache_entry>();
      e->func = spec_->name;
      e->inputs = std::move(inputs);
      e->output = json(result);
      e->metadata = spec_->metadata;
      spec_->core->complete({k, std::move(e)}, lease);
    } catch (const std::exception& ex) {
      spec_->core->abandon(k, lease, std::current_exception());
      spec_->core->count_error("set " + spec_->name + ": " + ex.what());
    }
  }

  std::shared_ptr<const detail::memo_spec> spec_;
  std::function<R(Args...)> f_;
};

} // namespace ahvn
