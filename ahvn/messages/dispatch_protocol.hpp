#pragma once

// The dispatcher's side protocols (actors/dispatcher.hpp): what it sends to callback actors on
// every set, and what it asks feed actors on a miss. Write your own callback or feed actor
// against these interfaces, or give plain functions and let the dispatcher wrap them.
//
// Remote use: feed_request and feed_answer are registered by add_message_types() and carry their
// JSON as text, like fetch_request.

#include "ahvn/messages/protocol.hpp"

#include <optional>
#include <string>

#include <caf/atom.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/save_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace ahvn {

using set_event_atom = caf::atom_constant<caf::atom("set_event")>;
using feed_atom = caf::atom_constant<caf::atom("feed")>;

/// What a feed is asked: the missed call. `k` is compute_key(func, inputs).
struct feed_request {
  key k;
  std::string func;             ///< The function's name.
  json inputs = json::object(); ///< Its inputs (without excluded names).
};

/// A feed's answer: a value (the first one wins), or none (the seed's Ellipsis: ask the next
/// feed, and in the end run the function). A JSON null is a value.
struct feed_answer {
  std::optional<json> value;
};

/// A callback actor: receives one message per stored entry, in the order of the sets; nobody
/// waits for it. `k` is the key the entry was stored under; the entry's inputs lack the cache's
/// excluded names.
using callback_actor = caf::typed_actor<caf::reacts_to<set_event_atom, keyed_entry>>;

/// A feed actor: the dispatcher asks it on a miss (with a timeout) and uses its value if any.
/// Answering with an error counts as a failure (logged, skipped).
using feed_actor = caf::typed_actor<caf::replies_to<feed_atom, feed_request>::with<feed_answer>>;

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feed_request& x) {
  std::string inputs;
  auto save = [&]() -> caf::error {
    inputs = x.inputs.dump();
    return caf::none;
  };
  auto load = [&] { return detail::decode_json(x.inputs, inputs, "a feed request"); };
  return f(caf::meta::type_name("ahvn::feed_request"), x.k, x.func, caf::meta::save_callback(save),
           inputs, caf::meta::load_callback(load));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feed_answer& x) {
  bool present = false;
  std::string value;
  auto save = [&]() -> caf::error {
    present = x.value.has_value();
    if (present) value = x.value->dump();
    return caf::none;
  };
  auto load = [&]() -> caf::error {
    if (!present) {
      x.value.reset();
      return caf::none;
    }
    return detail::decode_json(x.value.emplace(), value, "a feed answer");
  };
  return f(caf::meta::type_name("ahvn::feed_answer"), caf::meta::save_callback(save), present,
           value, caf::meta::load_callback(load));
}

} // namespace ahvn
