#pragma once

// cachectl_format: what cachectl reads from its arguments and writes for each entry, and its exit
// statuses. Pure functions: no cache is touched here.
//
// Text forms of an entry:
//   - the JSON Lines form (export, import): AgentHeaven's dumps_jsonl line, i.e. json.dumps of
//     the bigint-tagged entry dict with ensure_ascii off and Python's default separators, fields
//     in the order func, inputs, output, expected (only when set), metadata;
//   - the keyed form (--json of ls and show): the same object with "key" (the 40-digit key, a
//     string) in front;
//   - the list form (ls): KEY<TAB>FUNC<TAB>INPUTS<TAB>VALUE, shortened unless `full`.

#include "ahvn/messages/cache_entry.hpp"
#include "ahvn/messages/error.hpp"
#include "ahvn/messages/key.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ahvn::cachectl {

// -- exit statuses ----------------------------------------------------------------------------

constexpr int exit_ok = 0;      ///< Success.
constexpr int exit_missing = 1; ///< A looked-up entry is not there.
constexpr int exit_usage = 2;   ///< Bad usage or input (arguments, JSON, KEY, URL, FILE).
constexpr int exit_failure = 3; ///< The cache failed: unreachable server, broken store, I/O.

/// The exit status for a cache_error of code `c` (missing_entry: 1, bad input: 2, else 3).
int exit_status(errc c);

/// An error cachectl reports itself: `what()` is printed after "cachectl: ", `status` is the
/// exit status.
class cli_error : public std::runtime_error {
public:
  cli_error(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }

private:
  int status_;
};

// -- arguments --------------------------------------------------------------------------------

/// Parses the argument `what` (e.g. "OUTPUT_JSON") as JSON. Throws cache_error(invalid_json)
/// naming `what` and the byte of the problem.
json parse_json_arg(std::string_view text, std::string_view what);

/// Parses `what` as a JSON object (INPUTS_JSON, --metadata). Throws cache_error: invalid_json
/// as above, invalid_inputs naming `what` and the type it got.
json parse_object_arg(std::string_view text, std::string_view what);

/// Parses a KEY: decimal (as `cachectl key` prints it) or the 40-digit form. Throws
/// cli_error(exit_usage) naming `what` (the argument) if `text` is neither.
key parse_key_arg(std::string_view text, std::string_view what = "KEY");

// -- entry text -------------------------------------------------------------------------------

/// The JSON Lines form of `e` (see above), without a newline.
std::string jsonl_line(const cache_entry& e);

/// The keyed form of `e` stored under `k`, without a newline.
std::string keyed_json_line(const key& k, const cache_entry& e);

/// The list form of `e` stored under `k`, without a newline. Unless `full`, INPUTS is cut to
/// 80 bytes and VALUE to 50 (at a UTF-8 boundary, marked with "..."). VALUE is "output=JSON",
/// "expected=JSON" for an annotated entry, or "(no value)".
std::string list_line(const key& k, const cache_entry& e, bool full);

/// A value as one line of JSON: Python's json.dumps with ensure_ascii off, big integers plain.
std::string value_text(const json& v);

} // namespace ahvn::cachectl
