#pragma once

// Type traits that pick a memoize form from a function's signature (actors/cache.hpp).

#include "ahvn/actors/client/generator.hpp"
#include "ahvn/actors/client/memoize_actor.hpp"

#include <future>
#include <type_traits>
#include <vector>

namespace ahvn::detail {

template <class T>
struct is_future : std::false_type {};
template <class T>
struct is_future<std::future<T>> : std::true_type {
  using value_type = T;
};

template <class T>
struct is_generator : std::false_type {};
template <class T>
struct is_generator<generator<T>> : std::true_type {
  using value_type = T;
};

template <class T>
struct is_reply : std::false_type {};
template <class T>
struct is_reply<reply<T>> : std::true_type {
  using value_type = T;
};

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class... Ts>
struct type_list {};

/// Splits a parameter pack into all but its last type (`init`, a type_list) and the last.
template <class Done, class... Rest>
struct split_last;
template <class... Done, class Last>
struct split_last<type_list<Done...>, Last> {
  using init = type_list<Done...>;
  using last = Last;
};
template <class... Done, class X, class Y, class... Rest>
struct split_last<type_list<Done...>, X, Y, Rest...>
    : split_last<type_list<Done..., X>, Y, Rest...> {};

} // namespace ahvn::detail
