#pragma once

// sql_row: one row of AgentHeaven's cache_orm table — `id` (the 40-digit key) and `content`
// (json.dumps of the bigint-tagged entry dict) — to and from a cache_entry. No database here:
// the SQL store moves these strings, this file gives them meaning.
//
// Thread safety: pure functions.

#include "ahvn/messages/cache_entry.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace ahvn {

/// The key a row id stands for, or nullopt unless `id` is exactly key::to_padded() of a key.
std::optional<key> key_of_row_id(std::string_view id);

/// Decodes a row's content: parse_json, then untag() of output, expected and metadata (inputs
/// keep their tags: the key is computed from them), AgentHeaven's Ellipsis tag read as unset.
/// `jsonb`: the text came from PostgreSQL JSONB, which writes 1e16 as 10000000000000000; since
/// every writer tags integers beyond +-2^53, such an untagged literal is read as the float it was.
/// Throws cache_error (invalid_json naming `what`, invalid_entry, invalid_inputs) when the text is
/// not an entry dict.
cache_entry decode_row_content(std::string text, std::string_view what, bool jsonb);

/// Appends ".0" to every integer literal of `json_text` beyond +-2^53 (outside strings), so that
/// it parses as a float. Returns false (and leaves the text alone) when there is none.
bool restore_jsonb_floats(std::string& json_text);

} // namespace ahvn
