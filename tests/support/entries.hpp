#pragma once

// Value generators for tests: entries of many shapes, with their keys.

#include "ahvn/backends/store.hpp"
#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/clock.hpp"
#include "ahvn/messages/types.hpp"

#include <string>
#include <vector>

namespace ahvn::test {

/// An entry of func `f` with inputs {"i": i} and output `output`.
inline keyed_entry make_entry(int i, json output = "value", std::string f = "f") {
  auto e = std::make_shared<cache_entry>(
      cache_entry::from_args(std::move(f), json{{"i", i}}, std::move(output)));
  return {e->key(), e};
}

/// Outputs that a cache must tell apart from a miss and from each other.
inline std::vector<json> falsy_outputs() {
  return {json(0), json(""), json::array(), json::object(), json(false), json(nullptr), json(0.0)};
}

/// A read through a store's concurrent reader: true on a hit, whose value goes to `*out`.
inline bool read_through(concurrent_reader& r, const key& k, json* out = nullptr,
                         time_point now = clock::system()->now()) {
  return r.read_value(k, now, [&](const json& v) {
    if (out) *out = v;
  });
}

} // namespace ahvn::test
