#pragma once

// cache_entry: one cached call — the function name, its inputs, its output, an optional
// expected output (an annotation) and metadata. The C++ form of AgentHeaven's CacheEntry.
//
// `output` and `expected` may be unset (std::nullopt), which is distinct from a JSON null: a
// function may really return null. Unset fields are left out of to_dict(), exactly as the
// Python original leaves out Ellipsis.
//
// A cache_entry is a plain value: copying it is cloning it. It is not synchronized; share it
// between threads as `entry_ptr` (immutable) or copy it.

#include "ahvn/messages/json.hpp"
#include "ahvn/messages/key.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ahvn {

/// The fields clone() may replace; unset fields keep their value. `exclude` drops input names,
/// as in from_dict().
/// (Every member has an initializer so that designated initializers stay warning-free.)
struct cache_entry_update {
  std::optional<std::string> func = std::nullopt;
  std::optional<json> inputs = std::nullopt;
  std::optional<json> output = std::nullopt;
  std::optional<json> expected = std::nullopt;
  std::optional<json> metadata = std::nullopt;
  std::vector<std::string> exclude = {};
};

struct cache_entry {
  std::string func;               ///< The function's name: part of the key.
  json inputs = json::object();   ///< Argument name -> value: part of the key. An object.
  std::optional<json> output;     ///< What the function returned; unset if never computed.
  std::optional<json> expected;   ///< The annotated "right answer"; unset unless annotated.
  json metadata = json::object(); ///< Free-form object; memoize stores "annotation" here.

  /// The AgentHeaven key of (func, inputs). Throws cache_error if inputs is not an object or
  /// holds text that is not UTF-8.
  ahvn::key key() const;

  /// `expected` if set, else `output` (which may be unset too).
  const std::optional<json>& value() const { return expected ? expected : output; }

  /// True if `expected` is set.
  bool annotated() const { return expected.has_value(); }

  /// Builds an entry from named arguments, leaving out the names in `exclude`.
  /// Throws cache_error(errc::invalid_inputs) if `inputs` is not an object.
  static cache_entry from_args(std::string func, json inputs, std::optional<json> output = {},
                               std::optional<json> expected = {}, json metadata = nullptr,
                               const std::vector<std::string>& exclude = {});

  /// Reads an entry dict {"func", "inputs", "output"?, "expected"?, "metadata"?}; a missing
  /// field takes its default (func "", inputs {}, metadata {}; output/expected unset), a null
  /// metadata becomes {}. Throws cache_error(errc::invalid_entry) naming the field whose type is
  /// wrong, and errc::invalid_inputs if inputs is not an object.
  static cache_entry from_dict(const json& dict, const std::vector<std::string>& exclude = {});

  /// Reads an entry dict as AgentHeaven writes it (a JSON cache file, a cache_orm row, an
  /// exported line): output, expected and metadata lose AgentHeaven's tags (untag()), and its
  /// Ellipsis tag reads as unset; inputs stay as written, so the key recomputes exactly as Python
  /// computes it. Throws as from_dict().
  static cache_entry from_python_dict(json dict);

  /// The entry dict; unset output/expected are left out.
  json to_dict() const;

  /// A copy with the fields of `update` replaced (the Python clone(**updates)).
  cache_entry clone(const cache_entry_update& update = {}) const;

  /// A copy annotated with `expected` (when omitted: the current output) and `metadata` merged
  /// over the current metadata. The original is unchanged.
  cache_entry annotate(std::optional<json> expected = {}, const json& metadata = nullptr) const;

  friend bool operator==(const cache_entry&, const cache_entry&) = default;
};

/// Entries are shared between actors and readers as immutable values.
using entry_ptr = std::shared_ptr<const cache_entry>;

/// Writes the entry dict as AgentHeaven's JsonCache writes a file:
/// json.dump(entry_dict, indent=4, ensure_ascii=False), keys in the order func, inputs, output,
/// expected, metadata; big integers plain. No trailing newline.
std::string to_python_file_json(const cache_entry& e);

/// Writes the entry dict as AgentHeaven's DatabaseCache writes `content`: json.dumps of the
/// bigint-tagged dict with default options (ensure_ascii on), the same key order.
std::string to_python_row_json(const cache_entry& e);

/// Writes the entry dict as one line of AgentHeaven's dumps_jsonl (its export format):
/// json.dumps of the bigint-tagged dict with ensure_ascii off, the same key order.
std::string to_python_jsonl(const cache_entry& e);

/// Compact binary form for LMDB values, the memory store and remote messages: a small header
/// (format tag, where the hit value lies, the expiry from metadata.expires_at, the func name)
/// then MessagePack of [inputs, output|nil, expected|nil, metadata, flags]. Readers can check
/// expiry and decode just the hit value without decoding the whole entry.
std::string encode_entry(const cache_entry& e);

/// Decodes encode_entry()'s output. Throws cache_error(errc::corrupt_entry) naming `where`.
cache_entry decode_entry(std::string_view bytes, std::string_view where);

/// What the header of encoded bytes tells without decoding them.
struct encoded_view {
  std::string_view func;  ///< The function name.
  std::string_view value; ///< MessagePack of the hit value (expected, else output); empty if none.
  int64_t expires_at_ms = 0; ///< Expiry in Unix milliseconds; 0: never.
};

/// Reads the header of encode_entry()'s bytes; false if they are not in that format. The view
/// points into `bytes`, which must outlive it (a temporary string is refused at compile time).
bool view_encoded(std::string_view bytes, encoded_view& out);
bool view_encoded(std::string&& bytes, encoded_view& out) = delete;

/// Decodes MessagePack (a hit value from encoded_view). Throws cache_error(errc::corrupt_entry)
/// naming `where`.
json decode_msgpack(std::string_view bytes, std::string_view where);

} // namespace ahvn
