#pragma once

// The project's error vocabulary. Configuration and input errors are thrown as cache_error
// before any actor is involved; request errors travel between actors as caf::error built from
// the same enum (see make_error), so the code survives a trip across nodes.
//
// A miss is never an error.

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ahvn {

/// Every error this project reports. Values are stable: they cross process boundaries.
enum class errc : uint8_t {
  none = 0,
  invalid_json,       ///< Text that does not parse as JSON.
  invalid_utf8,       ///< A string that is not valid UTF-8.
  invalid_inputs,     ///< `inputs` that is not a JSON object, or arguments that do not convert.
  invalid_entry,      ///< An entry dict of the wrong shape (func not a string, ...).
  invalid_url,        ///< A cache URL that is malformed or names an unknown scheme.
  invalid_argument,   ///< Any other bad argument to a public function.
  missing_entry,      ///< An operation that needs an existing entry found none.
  not_supported,      ///< The cache cannot do this (e.g. remove on callback_cache).
  backend_failure,    ///< The storage failed (I/O, database, full disk); message says where.
  corrupt_entry,      ///< Stored bytes that do not decode to an entry; message says where.
  unreachable,        ///< A server or node could not be reached.
  timeout,            ///< A request got no answer in time.
  cancelled,          ///< The computation was abandoned (its caller vanished).
  computation_failed, ///< The memoized function threw; the message carries what it said.
  lease_lost,         ///< A complete or abandon named a lease that is no longer the current one.
  version_mismatch,   ///< A peer speaks another protocol version or interface.
};

/// A short stable name for `code` ("invalid_json", ...).
std::string_view to_string(errc code);

/// The exception thrown by the synchronous C++ API. what() is "<code>: <message>".
class cache_error : public std::runtime_error {
public:
  cache_error(errc code, const std::string& message);

  errc code() const noexcept { return code_; }
  /// The message without the code prefix.
  const std::string& message() const noexcept { return message_; }

private:
  errc code_;
  std::string message_;
};

/// What `error` says (its what()), or `fallback` when it is not a std::exception. Never throws.
std::string message_of(const std::exception_ptr& error,
                       std::string_view fallback = "the computation failed") noexcept;

} // namespace ahvn
