#pragma once

// JSON text exactly as Python writes it, so that keys, files and rows agree byte for byte with
// AgentHeaven. Values are nlohmann::json; object keys are kept sorted (std::map), which is the
// order Python's `sort_keys=True` produces, since UTF-8 byte order is code-point order.
//
// Big integers. Python integers are unbounded; nlohmann holds 64-bit ones. AgentHeaven's encoder
// rewrites an integer beyond +-2^53 as {"__obj_type__": "bigint", "__obj_data__": "<decimal>"}
// before hashing and before writing SQL rows. Here:
//   - a 64-bit integer beyond +-2^53 is written in that tagged form when `tag_bigints` is set;
//   - parse_json() turns an integer literal too large for 64 bits into the tagged object itself
//     (never into a lossy double), so it hashes as Python hashes it;
//   - a tagged object is written as plain digits when `tag_bigints` is off (the JSON-file layout).
//
// Thread safety: every function here is pure and may be called from any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ahvn {

using json = nlohmann::json;

/// How to write JSON text; the defaults are Python's `json.dumps(x)`.
struct dump_options {
  bool sort_keys = false;   ///< Objects are always held sorted; kept for symmetry with Python.
  bool ensure_ascii = true; ///< Escape every non-ASCII character as \uXXXX (UTF-16 pairs).
  int indent = -1;          ///< Negative: one line with ", " and ": "; else newline + indent.
  bool tag_bigints = false; ///< Apply AgentHeaven's bigint/tuple tagging (see above).
};

/// Appends `x` as Python's json.dumps would write it with `opt`, as if nested `level` deep (which
/// matters only with an indent). Throws cache_error(errc::invalid_utf8) naming the JSON path of
/// a string that is not UTF-8.
void dump_python(std::string& out, const json& x, const dump_options& opt, int level = 0);

/// Appends one string as a JSON string literal, as Python writes it.
void dump_python_string(std::string& out, std::string_view s, bool ensure_ascii);

/// Returns `x` as Python's json.dumps would write it with `opt`.
std::string dumps_python(const json& x, const dump_options& opt = {});

/// The canonical text AgentHeaven hashes: json.dumps(transform(x), sort_keys=True,
/// ensure_ascii=False). Throws cache_error(errc::invalid_utf8) on a string that is not UTF-8.
void dump_canonical(std::string& out, const json& x);
std::string canonical(const json& x);

/// Appends one string as a canonical JSON string literal (quotes included).
void dump_canonical_string(std::string& out, std::string_view s);

/// Parses JSON text as Python's json module reads it: Python's NaN, Infinity and -Infinity are
/// accepted; integers become int64 where they fit, else uint64, and beyond 64 bits tagged bigint
/// objects (exact); floats keep their type (2.0 stays a float). Strings must be UTF-8. Throws
/// cache_error(errc::invalid_json) whose message names `what` (a file name, "inputs", ...), the
/// byte offset of the problem and what was expected.
json parse_json(std::string_view text, std::string_view what);

/// True if `x` is AgentHeaven's tagged form {"__obj_type__": T, "__obj_data__": ...}.
bool is_tagged(const json& x, std::string_view type);

/// Undoes AgentHeaven's tagging recursively: a bigint that fits 64 bits becomes an integer
/// (one that does not stays tagged: it is the only exact form), tuple and set forms become
/// arrays. Used when reading rows and files that Python wrote.
json untag(json x);

/// Returns the error text if `s` is not valid UTF-8 ("invalid UTF-8 at byte N"), else empty.
std::string utf8_problem(std::string_view s);

} // namespace ahvn
