#pragma once

// generator<T>: a C++20 coroutine that yields values one at a time (C++23's std::generator is
// not in g++ 12). Used for memoized streams (actors/memoize_stream.hpp).
//
//   ahvn::generator<int> count(int n) {
//     for (int i = 0; i < n; ++i)
//       co_yield i;
//   }
//   for (int x : count(3)) ...
//
// An exception thrown in the coroutine propagates to the consumer at the next increment. A
// generator is move-only; destroying it destroys the coroutine at its suspension point (code
// after that point never runs). Not thread-safe: consume it from one thread at a time.

#include <coroutine>
#include <exception>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>

namespace ahvn {

template <class T>
class generator {
public:
  using value_type = std::remove_cvref_t<T>;

  struct promise_type {
    std::add_pointer_t<const value_type> current = nullptr;
    std::exception_ptr error;

    generator get_return_object() {
      return generator{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(const value_type& v) noexcept {
      current = std::addressof(v);
      return {};
    }
    std::suspend_always yield_value(value_type&& v) noexcept {
      current = std::addressof(v);
      return {};
    }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
    // co_await is not allowed inside a generator.
    template <class U>
    std::suspend_never await_transform(U&&) = delete;
  };

  using handle = std::coroutine_handle<promise_type>;

  class iterator {
  public:
    using iterator_category = std::input_iterator_tag;
    using difference_type = std::ptrdiff_t;
    using value_type = generator::value_type;
    using reference = const value_type&;
    using pointer = const value_type*;

    iterator() = default;
    explicit iterator(handle h) : h_(h) {}

    reference operator*() const { return *h_.promise().current; }
    pointer operator->() const { return h_.promise().current; }
    iterator& operator++() {
      h_.resume();
      if (h_.done()) rethrow();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) {
      return !it.h_ || it.h_.done();
    }

  private:
    void rethrow() const {
      if (auto e = h_.promise().error) std::rethrow_exception(e);
    }
    friend class generator;
    handle h_;
  };

  generator() = default;
  generator(generator&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  generator& operator=(generator&& other) noexcept {
    if (this != &other) {
      reset();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  generator(const generator&) = delete;
  generator& operator=(const generator&) = delete;
  ~generator() { reset(); }

  /// Starts (or continues) the coroutine up to its first value. Call once.
  iterator begin() {
    if (!h_) return iterator{};
    h_.resume();
    iterator it{h_};
    if (h_.done()) it.rethrow();
    return it;
  }
  std::default_sentinel_t end() const noexcept { return {}; }

private:
  explicit generator(handle h) : h_(h) {}
  void reset() {
    if (h_) h_.destroy();
    h_ = {};
  }
  handle h_;
};

} // namespace ahvn
