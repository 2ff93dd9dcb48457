#pragma once

// The options and the fixed description every memoized function shares (actors/client/memoize.hpp).

#include "ahvn/actors/client/client.hpp"
#include "ahvn/messages/cache_entry.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
  /// An annotation "ttl" (e.g. "1h") gives the entries a time to live, as `ttl` does.
  json annotation = nullptr;
  /// Time to live of the entries this function stores (metadata "ttl"); unset: forever.
  std::optional<std::chrono::milliseconds> ttl = std::nullopt;
};

namespace detail {

/// What every call of one memoized function shares, fixed when it is created.
struct memo_spec {
  std::shared_ptr<client> cache;
  std::string name;
  std::vector<std::string> params; // by argument position
  std::vector<bool> included;      // by argument position: false if excluded
  json metadata;                   // stored with each entry
  bool expires = false;            // the metadata asks for a TTL
  // For writing the canonical inputs straight from the arguments (the hit path builds no JSON
  // object): the included positions in key order, each with its `"name": ` prefix, and the name
  // as a canonical JSON string (hash_key_text's second half).
  std::vector<size_t> key_order;
  std::vector<std::string> key_prefixes;
  std::string canonical_name;

  /// Checks the options against the arity and builds the spec; throws cache_error
  /// (errc::invalid_argument) naming the function and what is wrong.
  static std::shared_ptr<const memo_spec> make(std::shared_ptr<client> cache, memoize_options opts,
                                               size_t arity);

  /// A new entry of this function with `inputs` and `output`, its expiry stamped from the
  /// cache's clock when it asks for a TTL. Throws cache_error (a string that is not UTF-8).
  entry_ptr make_entry(json inputs, json output) const;
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

} // namespace detail
} // namespace ahvn
