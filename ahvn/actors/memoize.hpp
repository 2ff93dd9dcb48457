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

#include "ahvn/actors/arguments.hpp"
#include "ahvn/actors/cache_core.hpp"
#include "ahvn/actors/memo_spec.hpp"
#include "ahvn/actors/memoize_actor.hpp"
#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/error.hpp"
#include "ahvn/messages/md5.hpp"

#include <array>
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

namespace ahvn {

namespace detail {

/// Appends the canonical JSON of one argument, as to_input_json(arg) would give it.
template <class T>
void write_canonical_arg(std::string& out, const T& arg) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_arithmetic_v<U>)
    dump_canonical(out, json(arg)); // no allocation; big integers tagged as Python tags them
  else if constexpr (std::is_convertible_v<const U&, std::string_view>)
    dump_canonical_string(out, std::string_view(arg));
  else
    dump_canonical(out, to_input_json(arg));
}

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
      if (spec_->included[i]) inputs[spec_->params[i]] = to_input_json(arg);
      ++i;
    };
    (add(args), ...);
    return inputs;
  }

  /// The key a call with these arguments is cached under. Written straight from the arguments
  /// (no JSON object is built): the same text compute_key(name(), inputs_of(args...)) hashes.
  key key_of(const std::remove_cvref_t<Args>&... args) const {
    constexpr size_t n = sizeof...(Args);
    thread_local std::string text;
    text.clear();
    std::array<size_t, n + 1> offsets{};
    size_t i = 0;
    try {
      auto write = [&](const auto& arg) {
        offsets[i] = text.size();
        if (spec_->included[i]) write_canonical_arg(text, arg);
        ++i;
      };
      (write(args), ...);
    } catch (const cache_error&) {
      // Bad input (text that is not UTF-8): let the slow path name where it is.
      return compute_key(spec_->name, inputs_of(args...));
    }
    offsets[n] = text.size();
    std::string_view all(text);
    md5 h;
    h.update("{");
    for (size_t j = 0; j < spec_->key_order.size(); ++j) {
      if (j > 0) h.update(", ");
      h.update(spec_->key_prefixes[j]);
      size_t p = spec_->key_order[j];
      h.update(all.substr(offsets[p], offsets[p + 1] - offsets[p]));
    }
    h.update("}");
    h.update(spec_->hash_suffix);
    return key::from_bytes(h.finish());
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
    if (hit || fast == cache_core::fast_read::unusable) return hit;
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
    auto& core = *this->spec_->core;
    key k = this->key_of(args...);
    // The hit path: on this thread, without building the inputs object.
    std::optional<R> hit;
    auto take = [&](const json& v) { hit.emplace(v.template get<R>()); };
    auto fast = core.read_fast(k, take);
    if (hit) return std::move(*hit);
    json inputs = this->inputs_of(args...);
    uint64_t lease = detail::cache_core::no_lease;
    if (fast == detail::cache_core::fast_read::miss) {
      lease = core.fetch(k, this->spec_->name, inputs, take); // may wait for another caller
      if (hit) return std::move(*hit);
    }
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
    key k = this->key_of(args...);
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
    key k = this->key_of(args...);
    auto copies = std::make_shared<std::tuple<std::decay_t<Args>...>>(args...);
    auto f = f_;
    auto base_copy = static_cast<const base&>(*this);
    return {self, this->spec_, k,
            [base_copy, copies] {
              return std::apply([&](const auto&... xs) { return base_copy.inputs_of(xs...); },
                                *copies);
            },
            [f, copies](reply<R> done) { done.deliver(std::apply(f, *copies)); }};
  }

private:
  std::function<R(Args...)> f_;
};

} // namespace ahvn
