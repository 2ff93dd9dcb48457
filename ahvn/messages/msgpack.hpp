#pragma once

// A MessagePack reader for what nlohmann's json::to_msgpack writes: the format of encoded entries
// (messages/cache_entry.hpp). nlohmann's own reader goes byte by byte through a generic input
// adapter; this one copies strings whole, which makes a cache hit's value decode several times
// cheaper. Writing still uses nlohmann.
//
// Thread safety: pure functions.

#include "ahvn/messages/json.hpp"

#include <string_view>

namespace ahvn {

/// Decodes one MessagePack value that fills `bytes` exactly. Throws cache_error
/// (errc::corrupt_entry) naming `where` on truncated or malformed input, or trailing bytes.
json read_msgpack(std::string_view bytes, std::string_view where);

} // namespace ahvn
