#pragma once

// callback and feed: what a dispatcher (callback_cache, observe) is given — a plain function or
// an actor handle (messages/dispatch_protocol.hpp).
//
//   ahvn::callback log_set = [](const ahvn::key& k, const ahvn::json& entry) { ... };
//   ahvn::feed small = [](const std::string& func, const ahvn::json& inputs)
//                        -> std::optional<ahvn::json> { ... return std::nullopt; };
//
// A plain function runs in an actor of its own, on a thread of its own (it may block: log to a
// file, query a database), so it never holds up the caller, the cache or the other callbacks
// and feeds. A callback function sees the sets one at a time, in the order they were made; an
// exception it throws is logged with the key, counted in stats().errors and skipped. A feed
// function that throws counts as a failed feed (logged, counted, the next feed is asked).
//
// Concurrency: callback and feed are plain values; copies share the function. The function is
// only ever called from its own actor's thread, never concurrently with itself.

#include "ahvn/messages/dispatch_protocol.hpp"

#include <atomic>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <caf/fwd.hpp>

namespace ahvn {

/// A plain callback: the key and the entry dict {func, inputs, output, expected?, metadata}
/// (the seed's `callback(key, value)`).
using callback_function = std::function<void(const key&, const json&)>;

/// A plain feed: the function's name and its inputs; a value, or nullopt for "no value" (the
/// seed's Ellipsis). A JSON null is a value.
using feed_function = std::function<std::optional<json>(const std::string&, const json&)>;

/// One callback of a dispatcher: a plain function or a callback actor.
class callback {
public:
  /// A plain function (a lambda, a function pointer, a std::function). REQUIRES: not empty.
  template <class F>
  requires(!std::same_as<std::decay_t<F>, callback> &&
           std::is_invocable_v<const std::decay_t<F>&, const key&, const json&>) callback(F f)
      : function_(callback_function(std::move(f))) {}
  /// An actor of your own; the dispatcher monitors it and skips it (logged once) when it died.
  callback(callback_actor handle) : actor_(std::move(handle)) {}

  const callback_function& function() const { return function_; }
  const callback_actor& actor() const { return actor_; }

private:
  callback_function function_;
  callback_actor actor_;
};

/// One feed of a dispatcher: a plain function or a feed actor.
class feed {
public:
  /// A plain function returning std::optional<json> (or anything that converts to it).
  template <class F>
  requires(!std::same_as<std::decay_t<F>, feed> &&
           std::is_invocable_r_v<std::optional<json>, const std::decay_t<F>&, const std::string&,
                                 const json&>) feed(F f)
      : function_(feed_function(std::move(f))) {}
  /// An actor of your own; the dispatcher monitors it and skips it (logged once) when it died.
  feed(feed_actor handle) : actor_(std::move(handle)) {}

  const feed_function& function() const { return function_; }
  const feed_actor& actor() const { return actor_; }

private:
  feed_function function_;
  feed_actor actor_;
};

namespace detail {

/// Spawns a detached actor that calls `f` with each set event's key and entry dict; exceptions
/// are logged with the key (naming the callback `name`) and counted in `errors`.
callback_actor spawn_callback_function(caf::actor_system& sys, callback_function f,
                                       std::string name,
                                       std::shared_ptr<std::atomic<uint64_t>> errors);

/// Spawns a detached actor that answers feed requests with `f`'s value; an exception becomes an
/// error answer (errc::computation_failed) naming `name` and what it said.
feed_actor spawn_feed_function(caf::actor_system& sys, feed_function f, std::string name);

} // namespace detail
} // namespace ahvn
