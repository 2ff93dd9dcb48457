#pragma once

// How memoize turns C++ arguments into the JSON `inputs` AgentHeaven hashes.
//
// A value converts through nlohmann's to_json (so a user type works once it has one), except
// where Python's AgentHeaven encoder tags values: a std::tuple or std::pair becomes
// {"__obj_type__": "tuple", "__obj_data__": [...]}, a std::set {"__obj_type__": "set", ...} with
// its items sorted, so that the key equals the one Python computes for a tuple or a set.
// Integers beyond +-2^53 are tagged when the key is computed (messages/json.hpp). Containers of
// these are converted item by item.

#include "ahvn/messages/json.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace ahvn {

template <class T>
json to_input_json(const T& x);

namespace detail {

inline json tagged(const char* type, json data) {
  json out = json::object();
  out["__obj_data__"] = std::move(data);
  out["__obj_type__"] = type;
  return out;
}

template <class T>
struct input_converter {
  static json convert(const T& x) { return json(x); }
};

template <class... Ts>
struct input_converter<std::tuple<Ts...>> {
  static json convert(const std::tuple<Ts...>& x) {
    json items = json::array();
    std::apply([&](const auto&... xs) { (items.push_back(to_input_json(xs)), ...); }, x);
    return tagged("tuple", std::move(items));
  }
};

template <class A, class B>
struct input_converter<std::pair<A, B>> {
  static json convert(const std::pair<A, B>& x) {
    return tagged("tuple", json::array({to_input_json(x.first), to_input_json(x.second)}));
  }
};

template <class T, class C, class A>
struct input_converter<std::set<T, C, A>> {
  static json convert(const std::set<T, C, A>& x) {
    json items = json::array();
    for (const auto& item : x)
      items.push_back(to_input_json(item));
    return tagged("set", std::move(items));
  }
};

template <class T, class A>
struct input_converter<std::vector<T, A>> {
  static json convert(const std::vector<T, A>& x) {
    json items = json::array();
    for (const auto& item : x)
      items.push_back(to_input_json(item));
    return items;
  }
};

template <class V, class C, class A>
struct input_converter<std::map<std::string, V, C, A>> {
  static json convert(const std::map<std::string, V, C, A>& x) {
    json out = json::object();
    for (const auto& [k, v] : x)
      out[k] = to_input_json(v);
    return out;
  }
};

template <class T>
struct input_converter<std::optional<T>> {
  static json convert(const std::optional<T>& x) { return x ? to_input_json(*x) : json(nullptr); }
};

} // namespace detail

/// The JSON form of one argument, as it appears in `inputs`.
template <class T>
json to_input_json(const T& x) {
  return detail::input_converter<std::decay_t<T>>::convert(x);
}

} // namespace ahvn
