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
// Other forms: functions returning std::future (memoize_future.hpp), functions that answer later
// through a reply<T> (memoize_reply.hpp), generators (memoize_stream.hpp), batches
// (batch_memoize.hpp). All of them take the one miss path (miss_path.hpp).
//
// A hit returns the stored value (the `expected` of an annotated entry, else the `output`); any
// stored value counts, including 0, "", [], {}, false and null. A hit is answered on the calling
// thread wherever the store has a caller-thread reader (memory, LMDB, SQL, JSON). Callers that
// miss the same key at once share one computation (single flight) — the others wait for its
// result, or get the exception it threw, or take over if it vanished. An exception from the
// function propagates and nothing is stored. If the cache fails (a backend error, a value that
// no longer converts to R), the function runs and its result is returned: the failure is logged
// and counted, never raised.
//
// Concurrency: a memoized object may be called from any number of threads and actors at once.

#include "ahvn/actors/client/arguments.hpp"
#include "ahvn/actors/client/memo_spec.hpp"
#include "ahvn/actors/client/memoize_actor.hpp"
#include "ahvn/actors/client/miss_path.hpp"
#include "ahvn/actors/client/task_pool.hpp"
#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/error.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

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

  /// The key a call with these arguments is cached under: the canonical text of inputs_of(args)
  /// written straight from the arguments (no JSON object is built), hashed by hash_key_text.
  key key_of(const std::remove_cvref_t<Args>&... args) const {
    constexpr size_t n = sizeof...(Args);
    thread_local std::string parts, text;
    parts.clear();
    std::array<size_t, n + 1> offsets{};
    size_t i = 0;
    try {
      auto write = [&](const auto& arg) {
        offsets[i] = parts.size();
        if (spec_->included[i]) write_canonical_arg(parts, arg);
        ++i;
      };
      (write(args), ...);
    } catch (const cache_error&) {
      // Bad input (text that is not UTF-8): let the slow path name where it is.
      return compute_key(spec_->name, inputs_of(args...));
    }
    offsets[n] = parts.size();
    // The members in key order: {"a": ..., "b": ...}.
    text.assign("{");
    for (size_t j = 0; j < spec_->key_order.size(); ++j) {
      if (j > 0) text.append(", ");
      text.append(spec_->key_prefixes[j]);
      size_t p = spec_->key_order[j];
      text.append(parts, offsets[p], offsets[p + 1] - offsets[p]);
    }
    text.push_back('}');
    return hash_key_text(text, spec_->canonical_name);
  }

  /// The function's name in the cache.
  const std::string& name() const { return spec_->name; }

  explicit operator bool() const { return spec_ != nullptr; }

protected:
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
    return detail::run<R>(
        this->spec_, this->key_of(args...), [&] { return this->inputs_of(args...); },
        [&] { return f_(args...); });
  }

  /// The same call on another thread: a hit returns a ready future at once; a miss computes on
  /// the process's bounded pool (actors/client/task_pool.hpp). The arguments are copied.
  std::future<R> async(Args... args) const {
    key k = this->key_of(args...);
    std::optional<R> hit;
    this->spec_->cache->read_here(k, [&](const json& v) { hit.emplace(v.template get<R>()); });
    auto promise = std::make_shared<std::promise<R>>();
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
                  return detail::run<R>(
                      self.spec_, k, [&] { return self.inputs_of(xs...); },
                      [&] { return self.f_(xs...); });
                },
                copies));
          } catch (...) {
            promise->set_exception(std::current_exception());
          }
        });
    return result;
  }

  /// The same call inside a CAF actor: `.then(on_value, on_error)` never blocks the actor's
  /// thread on the cache. A hit calls on_value at once; a miss (unless another caller's
  /// computation answers it) runs the function on the actor's thread. on_error gets a caf::error
  /// when the function (here or in a caller it waited for) failed.
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
