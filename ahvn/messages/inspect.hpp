#pragma once

// How the protocol's payloads cross nodes (CAF's `inspect`): entries in their compact binary
// form (encode_entry), JSON as its text, keys as two 64-bit halves. Every type here is
// registered by add_message_types() (messages/protocol.hpp) under the same name on every node.

#include "ahvn/messages/error.hpp"
#include "ahvn/messages/requests.hpp"
#include "ahvn/messages/types.hpp"

#include <string>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/save_callback.hpp>
#include <caf/meta/type_name.hpp>

namespace ahvn {

/// A caf::error carrying `code` and `message` (messages/protocol.cpp).
caf::error make_error(errc code, std::string message);

namespace detail {

inline caf::error encode_ptr(const entry_ptr& p, bool& present, std::string& bytes) {
  present = p != nullptr;
  if (present) bytes = encode_entry(*p);
  return caf::none;
}

inline caf::error decode_ptr(entry_ptr& p, bool present, const std::string& bytes) {
  if (!present) {
    p.reset();
    return caf::none;
  }
  try {
    p = std::make_shared<const cache_entry>(decode_entry(bytes, "a CAF message"));
    return caf::none;
  } catch (const cache_error& e) {
    return make_error(e.code(), e.message());
  }
}

// JSON travels as its text; a text that does not parse is an error naming `what`.
inline caf::error decode_json(json& x, const std::string& text, const char* what) {
  try {
    x = parse_json(text, what);
    return caf::none;
  } catch (const cache_error& e) {
    return make_error(e.code(), e.message());
  }
}

} // namespace detail

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, key& x) {
  uint64_t hi = x.hi(), lo = x.lo();
  auto load = [&]() -> caf::error {
    x = key{hi, lo};
    return caf::none;
  };
  return f(caf::meta::type_name("ahvn::key"), hi, lo, caf::meta::load_callback(load));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lookup& x) {
  bool present = false;
  std::string bytes;
  auto save = [&] { return detail::encode_ptr(x.entry, present, bytes); };
  auto load = [&] { return detail::decode_ptr(x.entry, present, bytes); };
  return f(caf::meta::type_name("ahvn::lookup"), caf::meta::save_callback(save), present, bytes,
           caf::meta::load_callback(load));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, keyed_entry& x) {
  bool present = false;
  std::string bytes;
  auto save = [&] { return detail::encode_ptr(x.entry, present, bytes); };
  auto load = [&] { return detail::decode_ptr(x.entry, present, bytes); };
  return f(caf::meta::type_name("ahvn::keyed_entry"), x.k, caf::meta::save_callback(save), present,
           bytes, caf::meta::load_callback(load));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scan_request& x) {
  bool has_after = x.after.has_value();
  key after = x.after.value_or(key{});
  auto load = [&]() -> caf::error {
    x.after = has_after ? std::optional<key>{after} : std::nullopt;
    return caf::none;
  };
  return f(caf::meta::type_name("ahvn::scan_request"), has_after, after, x.limit, x.func,
           caf::meta::load_callback(load));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scan_page& x) {
  return f(caf::meta::type_name("ahvn::scan_page"), x.entries, x.last, x.more);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cache_stats& x) {
  return f(caf::meta::type_name("ahvn::cache_stats"), x.hits, x.misses, x.sets, x.removes,
           x.evictions, x.expirations, x.coalesced, x.errors, x.entries);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, protocol_info& x) {
  return f(caf::meta::type_name("ahvn::protocol_info"), x.version, x.interface);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lease_holder& x) {
  return f(caf::meta::type_name("ahvn::lease_holder"), x.actor, x.id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fetch_request& x) {
  std::string inputs;
  auto save = [&]() -> caf::error {
    inputs = x.inputs.dump();
    return caf::none;
  };
  auto load = [&] { return detail::decode_json(x.inputs, inputs, "a fetch request"); };
  return f(caf::meta::type_name("ahvn::fetch_request"), x.k, x.func, caf::meta::save_callback(save),
           inputs, caf::meta::load_callback(load), x.coalesce, x.lease_ms, x.holder);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fetch_result& x) {
  bool present = false;
  std::string bytes;
  auto save = [&] { return detail::encode_ptr(x.entry, present, bytes); };
  auto load = [&] { return detail::decode_ptr(x.entry, present, bytes); };
  return f(caf::meta::type_name("ahvn::fetch_result"), caf::meta::save_callback(save), present,
           bytes, caf::meta::load_callback(load), x.lease);
}

/// Only the message crosses nodes; the exception stays in its process.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, computation_failure& x) {
  return f(caf::meta::type_name("ahvn::computation_failure"), x.what, x.retry);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, annotate_request& x) {
  std::string inputs, expected, metadata;
  bool has_expected = false;
  auto save = [&]() -> caf::error {
    inputs = x.inputs.dump();
    has_expected = x.expected.has_value();
    if (has_expected) expected = x.expected->dump();
    metadata = x.metadata.dump();
    return caf::none;
  };
  auto load = [&]() -> caf::error {
    if (auto err = detail::decode_json(x.inputs, inputs, "an annotate request")) return err;
    if (auto err = detail::decode_json(x.metadata, metadata, "an annotate request")) return err;
    if (!has_expected) {
      x.expected.reset();
      return caf::none;
    }
    return detail::decode_json(x.expected.emplace(), expected, "an annotate request");
  };
  return f(caf::meta::type_name("ahvn::annotate_request"), x.k, x.func,
           caf::meta::save_callback(save), inputs, has_expected, expected, metadata,
           caf::meta::load_callback(load));
}

/// A predicate is a C++ function of this process: a filter carrying one cannot be saved.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entry_filter& x) {
  std::string annotation;
  auto save = [&]() -> caf::error {
    if (x.predicate)
      return make_error(errc::not_supported,
                        "remove_if with a C++ predicate cannot cross nodes: filter by func and "
                        "annotation instead");
    annotation = x.annotation.dump();
    return caf::none;
  };
  auto load = [&] { return detail::decode_json(x.annotation, annotation, "an entry filter"); };
  return f(caf::meta::type_name("ahvn::entry_filter"), x.func, caf::meta::save_callback(save),
           annotation, caf::meta::load_callback(load));
}

} // namespace ahvn
