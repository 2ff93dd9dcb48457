#pragma once

// memoized<R(Args...)>: a function whose results are cached (the seed's @cache.memoize), usable
// from every calling context:
//
//   ahvn::in_mem_cache cache;
//   auto fib = cache.memoize({.name = "fibonacci", .params = {"n"}}, fibonacci_impl);
//   fib(30);                                   // a plain thread, synchronously
//   std::future<long> f = fib.async(30);       // a plain thread, asynchronously
//   fib.request(self, 30).then(on_value, on_error);  // inside a CAF actor, never blocking
//
// C++ parameters have no names, so a memoized function is given them once; the call's
// arguments become the `inputs` object {name: to_input_json(arg)} and the key is AgentHeaven's,
// so a Python service memoizing a function of the same name and parameters shares the entries.
// Other forms: functions returning std::future (actors/memoize_future.hpp), functions that answer
// later through a reply<T> (actors/memoize_reply.hpp), generators (actors/memoize_stream.hpp),
// batches (actors/batch_memoize.hpp).
//
// A hit returns the stored value (the `expected` of an annotated entry, else the `output`); any
// stored value counts, including 0, "", [], {}, false and null. A hit is answered on the calling
// thread when the store has a concurrent reader (memory, LMDB). A miss asks the cache actor:
// callers that miss the same key at once share one computation (single flight) — the others
// wait for its result, or get the exception it threw, or take over if it vanished. An exception
// from the function propagates and nothing is stored. If the cache fails (a backend error, a
// value that no longer converts to R), the function runs and its result is returned: the failure
// is logged and counted, never raised.
//
// Concurrency: a memoized object may be called from any number of threads and actors at once.

#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "actors/arguments.hpp"
#include "actors/cache_core.hpp"
#include "actors/memo_spec.hpp"
#include "actors/memoize_actor.hpp"
#include "messages/cache_entry.hpp"
#include "messages/error.hpp"

namespace ahvn {

namespace detail {

/// Builds inputs and keys from arguments: the part every memoized form shares.
template <class... Args>
class memo_base {
public:
  memo_base() = default;
  explicit memo_base(std::shared_ptr<const memo_spec> spec) : spec_(std::move(spec)) {}

  /// The `inputs` object a call with these arguments is cached under.
  json inputs_of(const std::remove_cvref_t<Args>&... args) const {
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
  key key_of(const std::remove_cvref_t<Args>&... args) const {
    return compute_key(spec_->name, inputs_of(args...));
  }

  /// The function's name in the cache.
  const std::string& name() const { return spec_->name; }

  explicit operator bool() const { return spec_ != nullptr; }

protected:
  /// Looks the call up: on the calling thread, then (on a miss) through the actor, where it may
  /// wait for another caller's computation of the same key. Returns the value on a hit; else the
  /// lease to compute with (cache_core::no_lease when the cache failed or the value was unusable).
  template <class R>
  std::optional<R> lookup(const key& k, const json& inputs, uint64_t& lease,
                          bool coalesce = true) const {
    auto& core = *spec_->core;
    std::optional<R> hit;
    auto take = [&](const json& v) { hit.emplace(v.template get<R>()); };
    lease = cache_core::no_lease;
    auto fast = core.read_fast(k, take);
    if (hit || fast == cache_core::fast_read::unusable)
      return hit;
    lease = core.fetch(k, spec_->name, inputs, take, coalesce);
    return hit;
  }

  /// Stores a computed result under `lease`; never throws.
  void store(const key& k, json inputs, json output, uint64_t lease) const noexcept {
    try {
      spec_->core->complete({k, spec_->make_entry(std::move(inputs), std::move(output))}, lease);
    } catch (const std::exception& ex) {
      spec_->core->abandon(k, lease, std::current_exception());
      spec_->core->count_error("set " + spec_->name + ": " + ex.what());
    }
  }

  std::shared_ptr<const memo_spec> spec_;
};

} // namespace detail

template <class Signature>
class memoized;

template <class R, class... Args>
class memoized<R(Args...)> : public detail::memo_base<Args...> {
  static_assert(!std::is_void_v<R>, "a memoized function must return a value");
  static_assert(!std::is_reference_v<R>, "a memoized function must return by value");
  using base = detail::memo_base<Args...>;

public:
  using result_type = R;

  /// An empty memoized function (assign one from cache::memoize before calling it).
  memoized() = default;

  memoized(std::shared_ptr<const detail::memo_spec> spec, std::function<R(Args...)> f)
    : base(std::move(spec)), f_(std::move(f)) {}

  /// Returns the cached result for these arguments, or computes, stores and returns it.
  /// REQUIRES: not empty; not called from inside an actor's handler (use request() there).
  R operator()(Args... args) const {
    json inputs = this->inputs_of(args...);
    key k = compute_key(this->spec_->name, inputs);
    uint64_t lease;
    if (auto hit = this->template lookup<R>(k, inputs, lease))
      return std::move(*hit);
    std::optional<R> result;
    try {
      result.emplace(f_(args...));
    } catch (...) {
      this->spec_->core->abandon(k, lease, std::current_exception());
      throw;
    }
    this->store(k, std::move(inputs), json(*result), lease);
    return std::move(*result);
  }

  /// The same call on another thread: a hit returns a ready future at once; a miss computes on
  /// a thread of its own. The arguments are copied.
  std::future<R> async(Args... args) const {
    json inputs = this->inputs_of(args...);
    key k = compute_key(this->spec_->name, inputs);
    std::optional<R> hit;
    this->spec_->core->read_fast(k, [&](const json& v) { hit.emplace(v.template get<R>()); });
    if (hit) {
      std::promise<R> ready;
      ready.set_value(std::move(*hit));
      return ready.get_future();
    }
    return std::async(std::launch::async,
                      [self = *this, copies = std::tuple<std::decay_t<Args>...>(args...)] {
                        return std::apply(self, copies);
                      });
  }

  /// The same call inside a CAF actor: `.then(on_value, on_error)` never blocks the actor's
  /// thread on the cache. A hit calls on_value at once; a miss asks the cache actor and, unless
  /// another caller's computation answers it, runs the function on the actor's thread. on_error
  /// gets a caf::error when the function (here or in a caller it waited for) failed.
  template <class Self>
  memo_response<R, Self> request(Self* self, Args... args) const {
    json inputs = this->inputs_of(args...);
    key k = compute_key(this->spec_->name, inputs);
    auto f = f_;
    auto copies = std::tuple<std::decay_t<Args>...>(args...);
    return {self, this->spec_, k, std::move(inputs),
            [f, copies](reply<R> done) mutable { done.deliver(std::apply(f, copies)); }};
  }

private:
  std::function<R(Args...)> f_;
};

} // namespace ahvn
